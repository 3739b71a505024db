"""The three renderings of a document: the printable HTML page, the PDF made from that page by
WeasyPrint, and the Word file built with python-docx from the same parts (a borderless two-column
header: issuing body | national motto with their short rules; number; place and date in italics;
type and summary centred in bold; the body; the notice's task table; recipients | signature).

Layout after Decree 30/2020/NĐ-CP: A4, margins 20 mm top and bottom, 30 mm left, 15 mm right,
Times New Roman 13–14 pt (Liberation Serif, metric-compatible, where Times is absent)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from dialogue.core.rendering import service_environment
from dialogue.documents.drafting import TYPE_NAMES, TYPE_WORDS, long_date
from dialogue.documents.tables import ConferenceDocument

K = ConferenceDocument.Kind
FONT = "Times New Roman"


@dataclass(frozen=True)
class Rendering:
    html: str
    docx: bytes
    pdf: bytes


def number_text(number: int | None, symbol: str) -> str:
    """'12/TB-UBND'; before publication the number is left blank for the register."""
    return f"{number}/{symbol}" if number else f"      /{symbol}"


def view(doc: dict, unit: dict, agencies: dict[int, str], today: dt.date, replaced: dict | None = None) -> dict:
    """What every rendering shows: the document's header facts, its content and its tasks with the
    agencies' names. `replaced` is the published version a correction replaces."""
    content = doc["content"]
    issued = doc["issued_on"] or today  # a draft shows the day it is read
    kind = doc["kind"]
    facts = {
        "kind": kind, "is_notice": kind == K.notice.value, "is_published": doc["number"] is not None,
        "type_name": TYPE_NAMES[kind], "type_word": TYPE_WORDS[kind],
        "number_text": number_text(doc["number"], doc["symbol"]),
        "dateline": f"{unit['place_name']}, {long_date(issued)}",
        "replaces": "",
    }
    if replaced is not None:
        facts["replaces"] = (
            f"Văn bản này thay thế {TYPE_WORDS[kind]} số {number_text(replaced['number'], replaced['symbol'])} "
            f"ngày {replaced['issued_on'].strftime('%d/%m/%Y')} của Ủy ban nhân dân {unit['unit_words']}."
            + (f" Lý do: {doc['correction_note']}" if doc["correction_note"] else ""))
    tasks = []
    for task in content.get("tasks", []):
        due = dt.date.fromisoformat(task["due_on"]) if task.get("due_on") else None
        tasks.append({**task, "lead_name": agencies.get(task.get("lead_agency"), ""),
                      "cooperating_names": [agencies[a] for a in task.get("cooperating", []) if a in agencies],
                      "due_text": due.strftime("%d/%m/%Y") if due else ""})
    return {"doc": facts, "unit": unit, "content": content, "tasks": tasks}


def render_html(data: dict) -> str:
    return service_environment().get_template("documents/document.html").render(**data)


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment the other pages need not wait for

    return HTML(string=html).write_pdf()


# --- Word ------------------------------------------------------------------------------------

def set_font(style_or_run, size: float | None = None) -> None:
    """Times New Roman for Latin and East Asian text alike (Word picks the font by script)."""
    font = style_or_run.font
    font.name = FONT
    if size:
        font.size = Pt(size)
    element = style_or_run.element
    properties = element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def add_paragraph(container, text: str = "", *, bold: bool = False, italic: bool = False, size: float | None = None,
                  align=None, indent: bool = False, space_after: float = 0):
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    if indent:
        fmt.first_line_indent = Mm(10)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    return paragraph


def add_rule(cell, width_fraction: float, cell_width_mm: float) -> None:
    """A short centred line (a bottom border on an empty, indented paragraph), as under the issuing
    body, the motto and the summary."""
    paragraph = cell.add_paragraph()
    margin = Mm(cell_width_mm * (1 - width_fraction) / 2)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = margin
    fmt.space_after = Pt(4)
    run = paragraph.add_run()
    run.font.size = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def no_borders(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def all_borders(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
            element.set(qn(key), value)
        borders.append(element)
    properties.append(borders)


def cell_text(cell, text: str, *, bold: bool = False, italic: bool = False, size: float | None = None,
              align=WD_ALIGN_PARAGRAPH.CENTER, first: bool = False):
    """Text in a cell: the first call uses the cell's own empty paragraph."""
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    return paragraph


def set_widths(table, widths_mm: list[float]) -> None:
    """Fixed column widths: on the grid (LibreOffice reads it) and on every cell (Word does)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


TEXT_WIDTH = 165.0  # mm between the margins of a portrait A4 page


def a4_document(title: str) -> Document:
    """An empty Word document laid out as Decree 30 asks: A4 portrait, margins 20/20/30/15 mm,
    Times New Roman 14 pt."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    for name in ("Normal", "Table Grid"):
        if name in [s.name for s in document.styles]:
            set_font(document.styles[name], 14 if name == "Normal" else None)
    document.core_properties.title = title
    document.core_properties.language = "vi-VN"
    return document


def official_header(document, unit: dict, number_text: str, dateline: str) -> None:
    """The borderless two-column header: issuing body, its rule and the number | the national
    motto, its rule and the place and date in italics."""
    header = document.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    no_borders(header)
    set_widths(header, [62, 103])
    left, right = header.rows[0].cells
    cell_text(left, unit["body_parent"], size=13, first=True)
    cell_text(left, unit["body_name"], bold=True, size=13)
    add_rule(left, 0.35, 62)
    cell_text(left, f"Số: {number_text}", size=13)
    cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, first=True)
    cell_text(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13.5)
    add_rule(right, 0.58, 103)
    cell_text(right, dateline, italic=True, size=14)


def footer_cells(document, widths_mm: tuple[float, float] = (80, 85)):
    """The borderless row at the end: recipients (or a signer) | the signer, kept on one page."""
    footer = document.add_table(rows=1, cols=2)
    no_borders(footer)
    set_widths(footer, list(widths_mm))
    footer.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # recipients and signature on one page
    return footer.rows[0].cells


def recipients(cell, lines: list[str]) -> None:
    cell_text(cell, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    for part in lines:
        if part.strip():
            cell_text(cell, f"- {part}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)


def signature(cell, titles: list[str], name: str) -> None:
    """The signer's titles in bold, room for the signature and the seal, the name in bold."""
    titles = [t for t in titles if t]
    for index, title in enumerate(titles):
        cell_text(cell, title, bold=True, first=index == 0)
    for _ in range(4):  # room for the signature and the seal
        cell_text(cell, "")
    cell_text(cell, name, bold=True)


def render_docx(data: dict) -> bytes:
    doc, unit, content, tasks = data["doc"], data["unit"], data["content"], data["tasks"]
    document = a4_document(f"{doc['type_word']} {doc['number_text'].strip()}")
    text_width = TEXT_WIDTH
    official_header(document, unit, doc["number_text"], doc["dateline"])

    center = WD_ALIGN_PARAGRAPH.CENTER
    if not doc["is_published"]:
        add_paragraph(document, "DỰ THẢO: văn bản chưa được ban hành.", italic=True, size=11, space_after=6)
    add_paragraph(document, "", space_after=6)
    add_paragraph(document, doc["type_name"], bold=True, align=center)
    add_paragraph(document, content["summary"], bold=True, align=center)
    add_rule(document, 0.25, text_width)
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY

    def lines(text: str, prefix: str = "") -> None:
        for part in (text or "").split("\n"):
            if part.strip():
                add_paragraph(document, prefix + part, align=justify, indent=True, space_after=6)

    if doc["replaces"]:
        add_paragraph(document, doc["replaces"], italic=True, align=justify, indent=True, space_after=6)
    if doc["is_notice"]:
        lines(content.get("opening", ""))
        add_paragraph(document, "1. Kết luận chung", bold=True, indent=True, space_after=6)
        lines(content.get("conclusions", "") or "…")
        add_paragraph(document, "2. Nhiệm vụ giao các cơ quan, đơn vị", bold=True, indent=True, space_after=6)
        if tasks:
            table = document.add_table(rows=1, cols=6)
            all_borders(table)
            heads = ("TT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Sản phẩm", "Thời hạn")
            for cell, text in zip(table.rows[0].cells, heads, strict=True):
                cell_text(cell, text, bold=True, size=12, first=True)
            table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on each page
            for n, task in enumerate(tasks, start=1):
                row = table.add_row()
                row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a task is never cut in two
                cells = row.cells
                values = (str(n), task["issue"], task["lead_name"], ", ".join(task["cooperating_names"]),
                          task["expected_output"], task["due_text"])
                for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
                    cell_text(cell, text, size=12, first=True,
                               align=center if index in (0, 5) else WD_ALIGN_PARAGRAPH.LEFT)
            set_widths(table, [11, 44, 29, 29, 25, 27])
            add_paragraph(document, "", space_after=6)
        else:
            lines("Không có nhiệm vụ giao thêm.")
        lines(f"Ủy ban nhân dân {unit['unit_words']} thông báo để các cơ quan, đơn vị, cá nhân liên quan biết, "
              "thực hiện./.")
    else:
        lines(content.get("time_line", ""))
        lines(content.get("place_line", ""))
        add_paragraph(document, "I. THÀNH PHẦN THAM DỰ", bold=True, space_after=6)
        lines(content.get("participants", ""))
        add_paragraph(document, "II. NỘI DUNG ĐỐI THOẠI", bold=True, space_after=6)
        for item in content.get("items", []):
            add_paragraph(document, item["heading"], bold=True, indent=True, space_after=4)
            lines(f"Người hỏi: {item['asker']}.")
            lines(f"Nội dung: {item['question']}")
            if item.get("answer"):
                lines(f"Trả lời: {item['answer']}")
            lines(f"Kết quả: {item['outcome']}.")
            lines(item.get("commitments", ""), prefix="Cam kết: ")
        add_paragraph(document, "III. KẾT LUẬN CỦA CHỦ TRÌ HỘI NGHỊ", bold=True, space_after=6)
        lines(content.get("conclusions", "") or "…")
        lines(content.get("closing_line", ""))

    add_paragraph(document, "", space_after=6)
    left, right = footer_cells(document)
    if doc["is_notice"]:
        recipients(left, content.get("recipients", "").split("\n"))
        signature(right, [content.get("signer_authority", ""), content.get("signer_position", "")],
                  content.get("signer_name", ""))
    else:
        signature(left, [content.get("left_signer_title", "")], content.get("left_signer_name", ""))
        signature(right, [content.get("right_signer_title", "")], content.get("right_signer_name", ""))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_all(data: dict) -> Rendering:
    html = render_html(data)
    return Rendering(html=html, docx=render_docx(data), pdf=render_pdf(html))
