"""A closed round's report: the facts frozen when the round closes (shown by the public page) and the
Word file made from them with python-docx, laid out as the ward's other documents are (Decree
30/2020/NĐ-CP: A4, Times New Roman, the issuing body and the national motto side by side, the place
and date in italics). The Word file is a Vietnamese official document whatever the reader's language."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from dialogue.core.calendar import local_today
from dialogue.documents.rendering import all_borders, no_borders, set_font
from dialogue.inspections.tables import InspectionItem
from dialogue.reference.tables import AdminUnit

F = InspectionItem.Finding
FINDING_WORDS = {F.done.value: "Đã thực hiện", F.partly.value: "Thực hiện một phần",
                 F.not_done.value: "Chưa thực hiện"}
HOW_WORDS = {InspectionItem.How.drawn.value: "ngẫu nhiên", InspectionItem.How.chosen.value: "chỉ định"}


async def issuer(unit_id: int) -> dict:
    """The People's Committee of the unit: 'ỦY BAN NHÂN DÂN' / 'PHƯỜNG ĐỐNG ĐA', and 'Đống Đa' for the date line."""
    unit = await AdminUnit.select(AdminUnit.name, AdminUnit.kind).where(AdminUnit.id == unit_id).first()
    name, kind = unit["name"], unit["kind"] or ""
    place = name[len(kind):].strip() if kind and name.casefold().startswith(kind.casefold()) else name
    return {"body_parent": "ỦY BAN NHÂN DÂN", "body_name": name.upper(), "place_name": place,
            "unit_words": name[:1].lower() + name[1:]}


def counts_by_agency(items: list[dict]) -> list[dict]:
    agencies: dict[int, dict] = {}
    for item in items:
        row = agencies.setdefault(item["lead_agency"], {
            "agency": item["lead_agency"], "name": item["lead_agency_name"], "inspected": 0,
            **{f.value: 0 for f in F}})
        row["inspected"] += 1
        row[item["finding"]] += 1
    return sorted(agencies.values(), key=lambda row: row["name"])


async def snapshot(round_row: dict, items: list[dict], now: dt.datetime) -> dict:
    """Everything the report shows, as plain JSON values: frozen with the round."""
    listed = [{
        "commitment": item["commitment"], "text": item["commitment_text"], "lead_agency": item["lead_agency"],
        "lead_agency_name": item["lead_agency_name"], "conference": item["conference"],
        "conference_title": item["conference_title"], "how": item["how"], "finding": item["finding"],
        "findings": item["findings"], "visited_on": item["visited_on"].isoformat() if item["visited_on"] else "",
        "files": [{"id": f["id"], "filename": f["filename"]} for f in item["files"]],
    } for item in items]
    by_agency = counts_by_agency(items)
    return {
        "title": round_row["title"], "unit_name": round_row["unit_name"], "issuer": await issuer(round_row["unit"]),
        "period_from": round_row["period_from"].isoformat(), "period_to": round_row["period_to"].isoformat(),
        "seed": round_row["seed"], "population_size": round_row["population_size"],
        "sample_size": round_row["sample_size"], "sample_percent": round_row["sample_percent"],
        "drawn": sum(1 for i in items if i["how"] == InspectionItem.How.drawn.value),
        "chosen": sum(1 for i in items if i["how"] == InspectionItem.How.chosen.value),
        "planned_on": local_today(round_row["created_at"]).isoformat(), "closed_on": local_today(now).isoformat(),
        "items": listed, "by_agency": by_agency,
        "totals": {"inspected": len(items), **{f.value: sum(1 for i in items if i["finding"] == f.value) for f in F}},
    }


# --- Word ------------------------------------------------------------------------------------------------

def _text(container, text: str, *, bold: bool = False, italic: bool = False, size: float | None = None,
          align=None, indent: bool = False, first: bool = False, space_after: float = 0):
    paragraph = container.paragraphs[0] if first else container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    paragraph.paragraph_format.space_before = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    return paragraph


def _rule(container, indent_mm: float) -> None:
    """A short centred line under the issuing body and the motto (a bottom border on an empty paragraph)."""
    paragraph = container.add_paragraph()
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Mm(indent_mm)
    paragraph.add_run().font.size = Pt(2)
    borders, bottom = OxmlElement("w:pBdr"), OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _table(document, heads: tuple[str, ...], rows: list[tuple[str, ...]], widths: list[float]) -> None:
    table = document.add_table(rows=1, cols=len(heads))
    all_borders(table)
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        _text(cell, text, bold=True, size=12, first=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on each page
    for values in rows:
        row = table.add_row()
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell, text in zip(row.cells, values, strict=True):
            _text(cell, text, size=12, first=True)
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)


def _day(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def render_docx(report: dict) -> bytes:
    unit = report["issuer"]
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    set_font(document.styles["Normal"], 14)
    document.core_properties.title = f"Báo cáo kiểm tra đột xuất: {report['title']}"
    document.core_properties.language = "vi-VN"
    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY

    header = document.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    no_borders(header)
    left, right = header.rows[0].cells
    left.width, right.width = Mm(62), Mm(103)
    _text(left, unit["body_parent"], size=13, first=True, align=center)
    _text(left, unit["body_name"], bold=True, size=13, align=center)
    _rule(left, 20)
    _text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, first=True, align=center)
    _text(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13.5, align=center)
    _rule(right, 22)
    closed = dt.date.fromisoformat(report["closed_on"])
    _text(right, f"{unit['place_name']}, ngày {closed.day:02d} tháng {closed.month:02d} năm {closed.year}",
          italic=True, align=center)

    _text(document, "", space_after=6)
    _text(document, "BÁO CÁO", bold=True, align=center)
    _text(document, "Kết quả kiểm tra đột xuất việc thực hiện cam kết sau hội nghị đối thoại", bold=True,
          align=center)
    _text(document, report["title"], italic=True, align=center, space_after=6)
    totals = report["totals"]
    for line in (
        f"Ủy ban nhân dân {unit['unit_words']} tổ chức kiểm tra đột xuất, không báo trước cho các cơ quan, "
        f"việc thực hiện các cam kết đã được báo cáo hoàn thành từ ngày {_day(report['period_from'])} đến ngày "
        f"{_day(report['period_to'])}.",
        f"Tổng số cam kết trong diện kiểm tra: {report['population_size']}. Số cam kết được kiểm tra: "
        f"{totals['inspected']} ({report['drawn']} chọn ngẫu nhiên, {report['chosen']} chỉ định).",
        f"Mẫu được chọn ngẫu nhiên với hạt giống (seed) {report['seed']}: chọn lại với cùng hạt giống và cùng "
        "danh sách cam kết cho cùng một mẫu.",
    ):
        _text(document, line, align=justify, indent=True, space_after=6)
    _text(document, "I. KẾT QUẢ KIỂM TRA TỪNG CAM KẾT", bold=True, space_after=6)
    _table(document, ("TT", "Cam kết", "Cơ quan chủ trì", "Ngày kiểm tra", "Kết quả", "Nhận xét"), [
        (str(n), f"{item['text']} (số {item['commitment']}, {HOW_WORDS[item['how']]})", item["lead_agency_name"],
         _day(item["visited_on"]), FINDING_WORDS[item["finding"]], item["findings"])
        for n, item in enumerate(report["items"], start=1)], [10, 50, 30, 22, 22, 31])
    _text(document, "", space_after=6)
    _text(document, "II. TỔNG HỢP THEO CƠ QUAN CHỦ TRÌ", bold=True, space_after=6)
    _table(document, ("Cơ quan", "Số kiểm tra", "Đã thực hiện", "Thực hiện một phần", "Chưa thực hiện"), [
        (row["name"], str(row["inspected"]), str(row["done"]), str(row["partly"]), str(row["not_done"]))
        for row in report["by_agency"]] + [("Tổng cộng", str(totals["inspected"]), str(totals["done"]),
                                            str(totals["partly"]), str(totals["not_done"]))],
        [55, 25, 27, 30, 28])
    _text(document, "", space_after=6)
    _text(document, "Các cam kết chưa thực hiện đã được mở lại để cơ quan chủ trì tiếp tục thực hiện; kết quả "
          "kiểm tra được công khai trên trang Đối thoại./.", align=justify, indent=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
