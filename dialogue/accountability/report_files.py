"""The monthly report as files: Word and PDF for the leaders' meeting (a Vietnamese official report
after Decree 30/2020/NĐ-CP, whatever the reader's language, laid out as the conference documents are),
XLSX and CSV for further work.

Everything the files show is put together once (`report_view`, which reads the issuing body); the
renderers are plain functions of it, cheap to run in a thread."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from babel.numbers import format_decimal
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Mm

from dialogue.accountability.dashboard import AgencyFigures, MonthlyReport, choose_scope, monthly_report
from dialogue.accountability.results import BOM, neutralised
from dialogue.core.calendar import local_today
from dialogue.core.errors import InvalidInput, NotFound
from dialogue.core.i18n import current_language
from dialogue.core.i18n import gettext as _
from dialogue.core.rendering import service_environment
from dialogue.documents.drafting import issuing_unit, long_date
from dialogue.documents.rendering import (
    TEXT_WIDTH,
    a4_document,
    add_paragraph,
    add_rule,
    all_borders,
    cell_text,
    footer_cells,
    number_text,
    official_header,
    recipients,
    render_pdf,
    set_widths,
    signature,
)
from dialogue.machine.actors import Actor

SYMBOL = "BC-UBND"
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
NO_HEAD = "(chưa có tài khoản thủ trưởng)"

# The per-agency table: (key in the row, heading in the report). The same columns in every format.
AGENCY_COLUMNS = (
    ("rank", "TT"), ("name", "Cơ quan"), ("heads", "Thủ trưởng (họ tên, chức vụ)"),
    ("answers_due", "Câu hỏi đến hạn trả lời"), ("on_time", "Trả lời đúng hạn"), ("late", "Trả lời trễ hạn"),
    ("answers_overdue", "Quá hạn chưa trả lời"), ("on_time_rate", "Tỷ lệ đúng hạn (%)"),
    ("median_days", "Số ngày làm việc trung vị"), ("commitments_due", "Cam kết đến hạn"),
    ("kept", "Cam kết đã thực hiện"), ("commitments_overdue", "Cam kết quá hạn"),
    ("disputed", "Có ý kiến chưa đồng ý"), ("overdue_now", "Tồn đọng quá hạn đến ngày báo cáo"),
)
NUMBER_KEYS = tuple(key for key, _heading in AGENCY_COLUMNS[3:])
OVERDUE_COLUMNS = (("n", "TT"), ("agency_name", "Cơ quan"), ("item", "Nội dung"), ("due_on", "Hạn"),
                   ("overdue_days", "Số ngày làm việc quá hạn"), ("heads", "Thủ trưởng chịu trách nhiệm"))


def number(value: float | int | None, pattern: str = "#,##0.#", locale: str = "vi") -> str:
    """1.234 and 85,5 in Vietnamese; an empty cell for a figure that has nothing to count."""
    return "" if value is None else format_decimal(value, pattern, locale=locale)


def day_text(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def heads_text(heads: list[dict]) -> str:
    """'Nguyễn Văn An, Trưởng phòng Kinh tế': the person the practice holds responsible."""
    return "; ".join(", ".join(p for p in (h["full_name"], h["position"]) if p) for h in heads) or NO_HEAD


def agency_row(rank: int | str, figure: AgencyFigures) -> dict:
    return {
        "rank": rank, "name": figure.name, "heads": heads_text(figure.heads) if figure.id else "",
        "answers_due": figure.answers_due, "on_time": figure.answers["on_time"], "late": figure.answers["late"],
        "answers_overdue": figure.answers["overdue"], "on_time_rate": figure.on_time_rate,
        "median_days": figure.median_days, "commitments_due": figure.commitments_due,
        "kept": figure.commitments["kept"], "commitments_overdue": figure.commitments["overdue"],
        "disputed": figure.commitments["disputed"], "overdue_now": figure.overdue_now,
    }


def _overdue_rows(rows: list[dict], agencies: dict[int, AgencyFigures], answers: bool) -> list[dict]:
    listed = []
    for n, row in enumerate(rows, start=1):
        if answers:
            item = " — ".join(part for part in (row.get("code"), row.get("heading")) if part)
        else:
            item = row.get("text") or ""
        agency = agencies.get(row.get("agency"))
        listed.append({"n": n, "agency_name": agency.name if agency else row["agency_name"], "item": item,
                       "due_on": row["due_on"], "overdue_days": row["overdue_days"],
                       "heads": heads_text(agency.heads if agency else [])})
    return listed


@dataclass(frozen=True)
class ReportView:
    """What every rendering of one monthly report shows."""

    unit: dict  # the issuing body (documents.drafting.issuing_unit) and the unit's id, code, name
    month: dt.date
    made_on: dt.date
    agencies: list[dict]  # agency_row() of each agency with figures, ranked
    total: dict
    summary: list[str]  # part 1, sentences in Vietnamese
    overdue_answers: list[dict]
    overdue_commitments: list[dict]
    answers_cut: int  # how many overdue answers the list leaves out (0: it is whole)
    commitments_cut: int

    @property
    def month_text(self) -> str:
        return self.month.strftime("%m/%Y")

    @property
    def title(self) -> str:
        return f"Kết quả trả lời, thực hiện kết luận đối thoại tháng {self.month_text}"

    @property
    def dateline(self) -> str:
        return f"{self.unit['place_name']}, {long_date(self.made_on)}"

    @property
    def number_text(self) -> str:
        return number_text(None, SYMBOL)

    @property
    def recipients(self) -> list[str]:
        kind = self.unit.get("kind") or ""
        return [f"TT Đảng ủy, HĐND {kind} (để b/c);".replace("  ", " "), f"Chủ tịch, các PCT UBND {kind};",
                "Thủ trưởng các cơ quan nêu tại Mục 2;", "Lưu: VT."]


def _summary(report: MonthlyReport, month_text: str, unit_words: str) -> list[str]:
    board = report.dashboard
    total = board.total
    a, c, f = total.answers, total.commitments, total.findings
    lines = [f"Trong tháng {month_text}, Ủy ban nhân dân {unit_words} tiếp nhận {number(board.received_total)} "
             "câu hỏi, ý kiến của Nhân dân qua hội nghị đối thoại."]
    if total.answers_due or a["open"]:
        line = (f"Số câu hỏi đến hạn trả lời trong tháng: {number(total.answers_due)}; trong đó trả lời đúng hạn "
                f"{number(a['on_time'])}, trả lời trễ hạn {number(a['late'])}, quá hạn chưa trả lời "
                f"{number(a['overdue'])}")
        if total.on_time_rate is not None:
            line += f" (tỷ lệ đúng hạn {number(total.on_time_rate)}%)"
        line += f"; {number(a['open'])} câu hỏi chưa đến hạn."
        if total.median_days is not None:
            line += f" Thời gian trả lời trung vị: {number(total.median_days)} ngày làm việc."
        lines.append(line)
    else:
        lines.append("Trong tháng không có câu hỏi nào đến hạn trả lời.")
    if total.commitments_due:
        lines.append(
            f"Số cam kết, nhiệm vụ đến hạn trong tháng: {number(total.commitments_due)}; trong đó đã thực hiện "
            f"{number(c['kept'])}, thực hiện một phần {number(c['partly_kept'])}, không thực hiện "
            f"{number(c['not_kept'])}, đã báo cáo hoàn thành chờ xác minh {number(c['reported_done'])}, "
            f"quá hạn {number(c['overdue'])}, có ý kiến chưa đồng ý của người dân {number(c['disputed'])}, "
            f"đã hủy {number(c['cancelled'])}.")
    else:
        lines.append("Trong tháng không có cam kết nào đến hạn.")
    if sum(f.values()):
        lines.append(f"Kiểm tra đột xuất tại thực địa: {number(sum(f.values()))} cam kết; đã thực hiện "
                     f"{number(f['done'])}, thực hiện một phần {number(f['partly'])}, chưa thực hiện "
                     f"{number(f['not_done'])}.")
    if total.satisfaction is not None:
        lines.append(f"Mức độ hài lòng của người dân: {number(total.satisfaction, '0.0#')}/5 "
                     f"({number(total.ratings)} lượt đánh giá).")
    lines.append(f"Đến {long_date(report.made_on)}, còn {number(total.backlog['answers'])} câu hỏi quá hạn chưa "
                 f"trả lời và {number(total.backlog['commitments'])} cam kết quá hạn chưa thực hiện (Mục 3).")
    return lines


async def report_view(report: MonthlyReport) -> ReportView:
    unit = {**report.scope.unit, **await issuing_unit(report.scope.unit["id"])}
    board = report.dashboard
    month = report.scope.period.start
    shown = [figure for figure in board.agencies if figure.has_figures]
    agencies = {figure.id: figure for figure in board.agencies}
    return ReportView(
        unit=unit, month=month, made_on=report.made_on,
        agencies=[agency_row(n, figure) for n, figure in enumerate(shown, start=1)],
        total={**agency_row("", board.total), "name": "Tổng cộng"},
        summary=_summary(report, month.strftime("%m/%Y"), unit["unit_words"]),
        overdue_answers=_overdue_rows(report.overdue_answers, agencies, answers=True),
        overdue_commitments=_overdue_rows(report.overdue_commitments, agencies, answers=False),
        answers_cut=max(0, board.total.backlog["answers"] - len(report.overdue_answers)),
        commitments_cut=max(0, board.total.backlog["commitments"] - len(report.overdue_commitments)),
    )


def shown_value(row: dict, key: str) -> str:
    """A cell as the Word file and the printable page show it (Vietnamese numbers, dd/mm/yyyy)."""
    value = row[key]
    if isinstance(value, dt.date):
        return day_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return "" if value is None else str(value)


def file_name(view: ReportView, fmt: str) -> str:
    """'Bao-cao-thang-10-2026-00001.docx': ASCII, so that every mail client and browser keeps it."""
    code = re.sub(r"[^A-Za-z0-9_-]", "", str(view.unit.get("code") or view.unit["id"]))
    return f"Bao-cao-thang-{view.month.strftime('%m-%Y')}-{code}.{fmt}"


# --- Word ------------------------------------------------------------------------------------------

LANDSCAPE_WIDTH = 252.0  # mm between the margins of a landscape A4 page
AGENCY_WIDTHS = [9, 38, 40] + [15] * 11
OVERDUE_WIDTHS = [10, 42, 92, 22, 22, 64]


def _table(document, columns: tuple, rows: list[dict], widths: list[float], size: float = 10,
           bold_last: bool = False) -> None:
    table = document.add_table(rows=1, cols=len(columns))
    all_borders(table)
    for cell, (_key, heading) in zip(table.rows[0].cells, columns, strict=True):
        cell_text(cell, heading, bold=True, size=size, first=True)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on each page
    for index, values in enumerate(rows):
        row = table.add_row()
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell, (key, _heading) in zip(row.cells, columns, strict=True):
            text_column = key in ("name", "heads", "agency_name", "item")
            cell_text(cell, shown_value(values, key), size=size, first=True,
                      bold=bold_last and index == len(rows) - 1,
                      align=WD_ALIGN_PARAGRAPH.LEFT if text_column else WD_ALIGN_PARAGRAPH.CENTER)
    set_widths(table, widths)


def render_docx(view: ReportView) -> bytes:
    document = a4_document(f"Báo cáo {view.title[:1].lower() + view.title[1:]}")
    official_header(document, view.unit, view.number_text, view.dateline)
    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
    add_paragraph(document, "", space_after=6)
    add_paragraph(document, "BÁO CÁO", bold=True, align=center)
    add_paragraph(document, view.title, bold=True, align=center)
    add_rule(document, 0.25, TEXT_WIDTH)
    add_paragraph(document, "1. Kết quả chung", bold=True, indent=True, space_after=6)
    for line in view.summary:
        add_paragraph(document, line, align=justify, indent=True, space_after=6)

    # The tables are wide: they go on landscape pages of their own.
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    add_paragraph(document, "2. Kết quả của từng cơ quan (xếp theo tỷ lệ trả lời đúng hạn, từ thấp đến cao)",
                  bold=True, space_after=6)
    if view.agencies:
        _table(document, AGENCY_COLUMNS, [*view.agencies, view.total], AGENCY_WIDTHS, bold_last=True)
    else:
        add_paragraph(document, "Không có cơ quan nào có số liệu trong tháng.", indent=True)
    add_paragraph(document, "", space_after=6)
    add_paragraph(document, "3. Danh sách câu hỏi, cam kết quá hạn đến ngày báo cáo", bold=True, space_after=6)
    for heading, rows, cut in (("3.1. Câu hỏi quá hạn chưa trả lời", view.overdue_answers, view.answers_cut),
                               ("3.2. Cam kết quá hạn chưa thực hiện", view.overdue_commitments,
                                view.commitments_cut)):
        add_paragraph(document, heading, bold=True, italic=True, space_after=4)
        if rows:
            _table(document, OVERDUE_COLUMNS, rows, OVERDUE_WIDTHS)
            if cut:
                add_paragraph(document, f"Danh sách nêu {number(len(rows))} mục quá hạn lâu nhất; còn "
                              f"{number(cut)} mục khác.", italic=True, size=11)
        else:
            add_paragraph(document, "Không có.", indent=True)
        add_paragraph(document, "", space_after=6)
    left, right = footer_cells(document, (110, 142))
    recipients(left, view.recipients)
    signature(right, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- The printable page and its PDF ---------------------------------------------------------------

def render_html(view: ReportView) -> str:
    return service_environment().get_template("reports/monthly.html").render(
        view=view, agency_columns=AGENCY_COLUMNS, overdue_columns=OVERDUE_COLUMNS, shown=shown_value,
        number=number)


def render_pdf_file(view: ReportView) -> bytes:
    return render_pdf(render_html(view))


# --- XLSX ------------------------------------------------------------------------------------------

def render_xlsx(view: ReportView) -> bytes:
    import xlsxwriter  # here: only the spreadsheet needs it

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    text = book.add_format({"valign": "top", "text_wrap": True})
    whole = book.add_format({"num_format": "#,##0", "valign": "top"})
    tenth = book.add_format({"num_format": "0.0", "valign": "top"})
    date = book.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
    book.set_properties({"title": view.title, "subject": view.unit["name"]})

    def sheet(name: str, columns: tuple, rows: list[dict], widths: list[float]) -> None:
        page = book.add_worksheet(name)
        for column, ((_key, heading), width) in enumerate(zip(columns, widths, strict=True)):
            page.write_string(0, column, heading, bold)
            page.set_column(column, column, width)
        page.freeze_panes(1, 0)
        for r, row in enumerate(rows, start=1):
            for column, (key, _heading) in enumerate(columns):
                value = row[key]
                if value is None or value == "":
                    page.write_blank(r, column, None)
                elif isinstance(value, dt.date):
                    page.write_datetime(r, column, dt.datetime.combine(value, dt.time()), date)
                elif isinstance(value, float):
                    page.write_number(r, column, value, tenth)
                elif isinstance(value, int) and not isinstance(value, bool):
                    page.write_number(r, column, value, whole)
                else:  # never a formula, whatever the text starts with
                    page.write_string(r, column, str(value), text)
        if rows:
            page.autofilter(0, 0, len(rows), len(columns) - 1)

    sheet("Tổng hợp", AGENCY_COLUMNS, [*view.agencies, view.total], [5, 40, 40] + [14] * 11)
    sheet("Trả lời quá hạn", OVERDUE_COLUMNS, view.overdue_answers, [5, 35, 70, 12, 14, 45])
    sheet("Cam kết quá hạn", OVERDUE_COLUMNS, view.overdue_commitments, [5, 35, 70, 12, 14, 45])
    book.close()
    return buffer.getvalue()


# --- CSV -------------------------------------------------------------------------------------------

def csv_header() -> list[str]:
    return [_("Rank"), _("Agency"), _("Head (name, position)"), _("Answers due"), _("Answered on time"),
            _("Answered late"), _("Overdue, not answered"), _("On-time rate (%)"), _("Median working days"),
            _("Commitments due"), _("Commitments kept"), _("Commitments overdue"), _("Disputed"),
            _("Overdue on the report's day")]


def render_csv(view: ReportView) -> bytes:
    """One row per agency, then the total: UTF-8 with a BOM, the header in the reader's language,
    numbers as the reader writes them, nothing a spreadsheet would run."""
    locale = current_language()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_header())
    for row in [*view.agencies, {**view.total, "name": _("All agencies"), "heads": ""}]:
        cells = []
        for key, _heading in AGENCY_COLUMNS:
            value = row[key]
            if key == "heads" and value == NO_HEAD:
                value = ""
            cells.append(number(value, "0.#", locale) if isinstance(value, int | float) and key != "rank"
                         else str(value if value is not None else ""))
        writer.writerow([neutralised(cell) for cell in cells])
    return (BOM + out.getvalue()).encode("utf-8")


RENDERERS = {"docx": render_docx, "pdf": render_pdf_file, "xlsx": render_xlsx, "csv": render_csv,
             "html": render_html}


def render(view: ReportView, fmt: str) -> bytes:
    """The report in one format (a KeyError for a format it has not)."""
    content = RENDERERS[fmt](view)
    return content.encode("utf-8") if isinstance(content, str) else content


@dataclass(frozen=True)
class ReportFile:
    name: str
    media_type: str
    content: bytes


def previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


async def report_file(actor: Actor, unit_id, month_code: str | None, fmt: str | None,
                      now: dt.datetime) -> ReportFile:
    """The monthly report of a unit the actor may see (NotFound otherwise), for a month ('2026-11';
    the month before by default), in one format (InvalidInput for one it has not). The rendering
    runs in a thread: a PDF takes a second of CPU the other requests need not wait for."""
    fmt = (fmt or "docx").strip().lower()[:10]
    if fmt not in RENDERERS:
        raise InvalidInput({"format": _("The report comes as Word, PDF, Excel, CSV or a printable page; "
                                        "choose one of these.")})
    month_code = (month_code or "").strip() or previous_month(local_today(now)).strftime("%Y-%m")
    scope, _units = await choose_scope(actor, unit_id, month_code, now)
    if scope.period.kind != "month":
        raise NotFound(_("The monthly report is made for one month: choose a month (for example 2026-11)."))
    view = await report_view(await monthly_report(scope.unit, scope.period.start, now))
    content = await asyncio.to_thread(render, view, fmt)  # the reader's language goes along (a copied context)
    return ReportFile(name=file_name(view, fmt), media_type=MEDIA_TYPES[fmt], content=content)
