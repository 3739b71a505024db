"""The monthly accountability report: its Word, PDF, XLSX and CSV files read back, who may download
it, and the scheduled e-mail that takes it to each unit's leaders once per unit and month.

The data set: the demo's concluded conference of Phường Đống Đa, with its questions routed on
26/10/2026 and answered (or not) as below, read on the pinned day, Monday 07/12/2026."""

import asyncio
import csv
import datetime as dt
import io

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from openpyxl import load_workbook
from pypdf import PdfReader

from dialogue.accountability import monthly, report_files
from dialogue.accountability.dashboard import monthly_report
from dialogue.accountability.tables import MonthlyReportSent
from dialogue.accounts.tables import StaffUser
from dialogue.answers import drafting
from dialogue.conferences.tables import Conference
from dialogue.core.settings import SettingsError, load_settings
from dialogue.demo.concluded import load_concluded_demo
from dialogue.mail import outbox
from dialogue.mail.sender import smtp_sender
from dialogue.mail.tables import OutboxAttachment, OutboxMessage
from dialogue.questions import routing
from dialogue.questions.tables import Question
from dialogue.reference.tables import AdminUnit, Agency, Holiday
from tests.conftest import DEMO_ACCOUNTS, post_form, sign_in
from tests.pinned import NOW, TODAY
from tests.test_accountability import actor, local
from tests.test_mail import FROM, SmtpServer, free_port

NOVEMBER = dt.date(2026, 11, 1)
KT = "Phòng Kinh tế, Hạ tầng và Đô thị phường Đống Đa"
VP = "Văn phòng HĐND và UBND phường Đống Đa"
KT_HEAD = "Phạm Thu Hà, Trưởng phòng Kinh tế, Hạ tầng và Đô thị"


@pytest.fixture
async def month(demo_db):
    """Answers due in November: KT-HT-ĐT answered the drainage question on time (3 days after
    routing), the street lights late (today) and never the rubbish question (due 09/11/2026: 20
    weekdays to today less the holiday of 24/11, 19 working days overdue); VP answered the pavement
    question on time. The building-site commitment (KT-HT-ĐT, due 01/12/2026) is 4 working days overdue."""
    conference = await Conference.select(Conference.unit).first()
    unit = await AdminUnit.select(AdminUnit.id, AdminUnit.code, AdminUnit.name, AdminUnit.level).where(
        AdminUnit.id == conference["unit"]).first()
    await load_concluded_demo(unit["id"], TODAY)
    concluded = await Conference.select().where(Conference.state == "concluded").first()
    questions = await Question.select().where(Question.conference == concluded["id"]).order_by(Question.created_at)
    drainage, _building, rubbish, lights, pavement = questions[:5]
    agencies = {a["short_name"]: a["id"] for a in await Agency.select(Agency.id, Agency.short_name)}
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    routed = TODAY - dt.timedelta(days=42)
    base = demo_db.base_url
    for question, agency in ((drainage, "KT-HT-ĐT"), (lights, "KT-HT-ĐT"), (rubbish, "KT-HT-ĐT"),
                             (pavement, "VP")):
        await routing.assign(organiser, question["id"], {"lead_agency": str(agencies[agency])}, local(routed), base)
    for question, agency, day in ((drainage, "KT-HT-ĐT", routed + dt.timedelta(days=3)),
                                  (lights, "KT-HT-ĐT", TODAY), (pavement, "VP", routed + dt.timedelta(days=4))):
        officer = await actor(DEMO_ACCOUNTS["agency_officer"], agencies[agency])
        head = await actor(DEMO_ACCOUNTS["agency_head"], agencies[agency])
        await drafting.submit(officer, question["id"], local(day), {"body": "Trả lời.", "legal_basis": ""})
        await drafting.review(head, question["id"], "approve", "", local(day, 10), base)
    return {"unit": unit, "agencies": agencies, "rubbish": rubbish}


async def view_of(unit: dict) -> report_files.ReportView:
    return await report_files.report_view(await monthly_report(unit, NOVEMBER, NOW))


def docx_text(data: bytes) -> tuple[str, list[list[str]]]:
    document = Document(io.BytesIO(data))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return "\n".join(p.text for p in document.paragraphs), rows


async def test_the_word_file_names_each_agency_its_head_its_figures_and_the_overdue_items(month):
    data = report_files.render_docx(await view_of(month["unit"]))
    text, rows = docx_text(data)
    document = Document(io.BytesIO(data))
    assert "BÁO CÁO" in text and "Kết quả trả lời, thực hiện kết luận đối thoại tháng 11/2026" in text
    assert rows[0] == ["ỦY BAN NHÂN DÂN\nPHƯỜNG ĐỐNG ĐA\n\nSố:       /BC-UBND",  # the number left blank
                       "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
                       "Đống Đa, ngày 07 tháng 12 năm 2026"]
    assert ("Số câu hỏi đến hạn trả lời trong tháng: 4; trong đó trả lời đúng hạn 2, trả lời trễ hạn 1, quá hạn "
            "chưa trả lời 1 (tỷ lệ đúng hạn 50%)") in text
    assert document.sections[0].orientation == WD_ORIENT.PORTRAIT
    assert document.sections[1].orientation == WD_ORIENT.LANDSCAPE  # the wide tables
    by_agency = {row[1]: row for row in rows if len(row) == len(report_files.AGENCY_COLUMNS)}
    # rank, agency, head, due, on time, late, overdue, on-time %, median, commitments due, kept, overdue,
    # disputed, overdue now: the lowest on-time rate first
    assert by_agency[KT][0] == "1" and by_agency[KT][2] == KT_HEAD
    assert by_agency[KT][3:8] == ["3", "1", "1", "1", "33,3"]
    assert by_agency[KT][13] == "2"  # the rubbish answer and the building-site commitment
    assert by_agency[VP][0] == "2" and by_agency[VP][2] == "Đặng Thị Minh, Chánh Văn phòng HĐND và UBND"
    assert by_agency[VP][3:8] == ["1", "1", "0", "0", "100"]
    assert by_agency["Tổng cộng"][3:8] == ["4", "2", "1", "1", "50"]
    overdue = [row for row in rows if len(row) == len(report_files.OVERDUE_COLUMNS) and row[0] == "1"]
    answer, commitment = overdue
    assert answer[1] == KT and "Thu gom rác tại điểm tập kết chợ Ô Chợ Dừa" in answer[2]
    assert answer[3:] == ["09/11/2026", "19", KT_HEAD]
    assert commitment[1] == KT and "số 15 ngõ Thịnh Hào 1" in commitment[2]
    assert commitment[3:] == ["01/12/2026", "4", KT_HEAD]
    assert "Nơi nhận:" in [row for row in rows if len(row) == 2][-1][0]


async def test_the_spreadsheet_has_its_three_sheets_with_numbers_dates_and_text_as_such(month):
    await Agency.update({Agency.name: "=cmd|' /C calc'!A0"}).where(Agency.id == month["agencies"]["VP"])
    book = load_workbook(io.BytesIO(report_files.render_xlsx(await view_of(month["unit"]))))
    assert book.sheetnames == ["Tổng hợp", "Trả lời quá hạn", "Cam kết quá hạn"]
    summary = book["Tổng hợp"]
    assert summary.freeze_panes == "A2" and summary["A1"].font.b
    rows = {row[1]: row for row in summary.iter_rows(min_row=2, values_only=True)}
    assert rows[KT][2] == KT_HEAD and rows[KT][3:8] == (3, 1, 1, 1, 33.3)
    assert rows["Tổng cộng"][3:8] == (4, 2, 1, 1, 50.0)
    formula_like = summary.cell(row=3, column=2)
    assert formula_like.value == "=cmd|' /C calc'!A0" and formula_like.data_type == "s"  # text, never a formula
    answer = next(book["Trả lời quá hạn"].iter_rows(min_row=2, values_only=True))
    assert answer[1] == KT and answer[3] == dt.datetime(2026, 11, 9) and answer[4] == 19 and answer[5] == KT_HEAD
    commitment = next(book["Cam kết quá hạn"].iter_rows(min_row=2, values_only=True))
    assert commitment[3] == dt.datetime(2026, 12, 1) and commitment[4] == 4


async def test_the_csv_has_a_bom_the_readers_header_and_no_formula(month):
    await Agency.update({Agency.name: "=cmd|' /C calc'!A0"}).where(Agency.id == month["agencies"]["VP"])
    data = report_files.render_csv(await view_of(month["unit"]))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Thứ hạng", "Cơ quan", "Thủ trưởng (họ tên, chức vụ)", "Câu hỏi đến hạn trả lời"]
    assert rows[1][1] == KT and rows[1][3:8] == ["3", "1", "1", "1", "33,3"]
    assert rows[2][1] == "'=cmd|' /C calc'!A0"
    assert rows[-1][1] == "Tất cả cơ quan" and rows[-1][3:8] == ["4", "2", "1", "1", "50"]


async def test_the_pdf_is_a_pdf_with_landscape_pages_for_the_tables(month):
    reader = PdfReader(io.BytesIO(report_files.render_pdf_file(await view_of(month["unit"]))))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "BÁO CÁO" in text and KT in text and "Phạm Thu Hà" in text and "09/11/2026" in text
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height
    assert reader.pages[1].mediabox.width > reader.pages[1].mediabox.height


async def other_commune(unit_id: int) -> dict:
    return await AdminUnit.select(AdminUnit.id, AdminUnit.code, AdminUnit.name, AdminUnit.level).where(
        (AdminUnit.level == "commune") & (AdminUnit.id != unit_id)).order_by(AdminUnit.id).first()


async def add_viewer(email: str, unit_id: int, language: str = "vi", active: bool = True) -> None:
    await StaffUser.insert(StaffUser(email=email, full_name="Lãnh đạo " + email, password_hash="x", role="viewer",
                                     unit=unit_id, language=language, active=active))


async def test_leaders_download_their_units_report_and_no_one_else_does(month, demo_client):
    unit = month["unit"]
    other = await other_commune(unit["id"])
    await sign_in(demo_client, DEMO_ACCOUNTS["viewer"])
    response = await demo_client.get(f"/dashboard/report?unit={unit['id']}&month=2026-11&format=docx")
    assert response.status_code == 200
    assert f"Bao-cao-thang-11-2026-{unit['code']}.docx" in response.headers["content-disposition"]
    assert KT_HEAD in docx_text(response.content)[0] + str(docx_text(response.content)[1])
    for fmt, start in (("pdf", b"%PDF"), ("xlsx", b"PK"), ("csv", "\ufeff".encode()), ("html", b"<!doctype")):
        response = await demo_client.get(f"/dashboard/report?unit={unit['id']}&month=2026-11&format={fmt}")
        assert response.status_code == 200 and response.content.startswith(start), fmt
    # Another commune's report, a month that is not one, a quarter, a format it has not: polite pages.
    for query, status in ((f"unit={other['id']}&month=2026-11", 404), (f"unit={unit['id']}&month=2026-13", 404),
                          (f"unit={unit['id']}&month=2026-Q4", 404), (f"unit={unit['id']}&format=exe", 400),
                          ("unit=99999999999999999999&month=2026-11", 404), (f"unit={unit['id']}&month=%00", 404)):
        response = await demo_client.get(f"/dashboard/report?{query}")
        assert response.status_code == status, query
        assert "<html" in response.text and "content-disposition" not in response.headers
    await demo_client.get("/sign-out")
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    assert (await demo_client.get(f"/dashboard/report?unit={unit['id']}&month=2026-11")).status_code == 200
    demo_client.cookies.clear()
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
    assert (await demo_client.get(f"/dashboard/report?unit={unit['id']}&month=2026-11")).status_code == 403


async def test_the_scheduled_report_goes_once_per_unit_and_month_even_with_two_workers(month, demo_db):
    unit = month["unit"]
    other = await other_commune(unit["id"])
    await add_viewer("leader.en@dongda.demo", unit["id"], language="en")
    await add_viewer("retired@dongda.demo", unit["id"], active=False)
    await add_viewer("leader@other.demo", other["id"])
    first, second = await asyncio.gather(monthly.tick(NOW, demo_db, demo_db.base_url),
                                         monthly.tick(NOW, demo_db, demo_db.base_url))
    assert first["monthly_report"] + second["monthly_report"] == 3  # two leaders here, one there
    sent = await MonthlyReportSent.select().order_by(MonthlyReportSent.unit)
    assert sorted(row["key"] for row in sent) == sorted([f"{unit['id']}:2026-11", f"{other['id']}:2026-11"])
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "monthly_report").order_by(
        OutboxMessage.to_address)
    assert [m["to_address"] for m in mails] == ["leader.en@dongda.demo", "leader@other.demo", "viewer@dongda.demo"]
    english, _other, vietnamese = mails
    assert english["subject"].startswith("Monthly report for 11/2026") and KT in english["text_body"]
    assert vietnamese["subject"].startswith("Báo cáo tháng 11/2026") and KT in vietnamese["text_body"]
    assert f"/dashboard?unit={unit['id']}&period=2026-11" in vietnamese["text_body"]
    assert await OutboxAttachment.count() == 3
    # Later runs that month send nothing more.
    assert await monthly.tick(NOW + dt.timedelta(days=3), demo_db, demo_db.base_url) == {"monthly_report": 0}
    assert await OutboxMessage.count().where(OutboxMessage.kind == "monthly_report") == 3


async def test_the_report_waits_for_the_nth_working_day_a_holiday_moving_it(month, demo_db):
    """March 2027: Monday the 1st is working day 1; with a day off on Tuesday the 2nd, day 3 is Thursday the 4th."""
    await Holiday.insert(Holiday(day=dt.date(2027, 3, 2), kind="holiday", name="Nghỉ bù (thử)"))
    settings = demo_db.with_(monthly_report_working_day=3)
    assert await monthly.tick(local(dt.date(2027, 3, 3), 23), settings, demo_db.base_url) == {"monthly_report": 0}
    assert await MonthlyReportSent.count() == 0
    assert await monthly.tick(local(dt.date(2027, 3, 4), 8), settings, demo_db.base_url) == {"monthly_report": 1}
    assert (await MonthlyReportSent.select(MonthlyReportSent.key).first())["key"].endswith(":2027-02")
    # The first working day, when the setting says so.
    assert await monthly.tick(local(dt.date(2027, 4, 1), 8), settings.with_(monthly_report_working_day=1),
                              demo_db.base_url) == {"monthly_report": 1}


async def test_the_e_mail_reaches_the_leader_with_the_word_file_attached(month, demo_db):
    await OutboxMessage.update({OutboxMessage.sent_at: NOW}).where(OutboxMessage.sent_at.is_null())  # the askers' mail
    await monthly.tick(NOW, demo_db, demo_db.base_url)
    server = SmtpServer(free_port()).start()
    try:
        counts = await outbox.drain(smtp_sender(f"smtp://127.0.0.1:{server.port}", FROM), NOW)
    finally:
        server.stop()
    assert counts == {"sent": 1, "failed": 0}
    [message] = server.inbox.messages
    assert message["To"] == "viewer@dongda.demo" and message["Subject"].startswith("Báo cáo tháng 11/2026")
    assert "Các cơ quan có nhiều việc quá hạn nhất" in message.get_body(("plain",)).get_content()
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == f"Bao-cao-thang-11-2026-{month['unit']['code']}.docx"
    assert attached.get_content_type() == report_files.MEDIA_TYPES["docx"]
    text, rows = docx_text(attached.get_content())
    assert "tháng 11/2026" in text and any(row[2] == KT_HEAD for row in rows if len(row) > 2)


async def test_the_admin_records_a_staff_members_position_for_the_report(demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["admin"])
    head = await StaffUser.select().where(StaffUser.email == DEMO_ACCOUNTS["agency_head"]).first()
    path = f"/admin/accounts/{head['id']}"
    form = {"full_name": head["full_name"], "email": head["email"], "role": head["role"], "agency": str(head["agency"]),
            "unit": "", "language": "vi", "active": "yes"}
    page = await demo_client.get(path)
    assert 'name="position"' in page.text and 'value="Trưởng phòng Kinh tế, Hạ tầng và Đô thị"' in page.text
    too_long = await post_form(demo_client, path, {**form, "position": "x" * 151})
    assert too_long.status_code == 400 and 'href="#position"' in too_long.text
    saved = await post_form(demo_client, path, {**form, "position": "  Phó Trưởng phòng\u200b  Kinh tế "},
                            follow_redirects=False)
    assert saved.status_code == 303
    assert (await StaffUser.select(StaffUser.position).where(StaffUser.id == head["id"]).first())["position"] \
        == "Phó Trưởng phòng Kinh tế"


@pytest.mark.parametrize(("raw", "expected"), [("", 3), ("1", 1), ("20", 20), ("0", None), ("21", None),
                                               ("troisième", None)])
def test_the_report_day_setting_is_checked(raw, expected):
    env = {"SECRET_KEY": "k" * 40, "MONTHLY_REPORT_WORKING_DAY": raw}
    if expected is None:
        with pytest.raises(SettingsError, match="MONTHLY_REPORT_WORKING_DAY"):
            load_settings(env)
    else:
        assert load_settings(env).monthly_report_working_day == expected
