"""The minutes and the conclusions notice: drafted at the end of the session from what was recorded,
edited by the organisers, published once (numbers, frozen renderings, the conference concluded,
tasks handed to the follow-up, askers told), corrected by a new version; and who may touch them."""

import datetime as dt
import io
import json

import pytest
from docx import Document
from pypdf import PdfReader

from dialogue.accounts.tables import StaffUser
from dialogue.agenda import commands as session_commands
from dialogue.agenda import queries as session_queries
from dialogue.agenda.tables import ConferenceSession
from dialogue.commitments.tables import Commitment, CommitmentAgency
from dialogue.conferences.tables import Conference
from dialogue.core.errors import Conflict, Forbidden, InvalidInput
from dialogue.demo import load_demo
from dialogue.documents import commands, queries
from dialogue.documents.tables import ConferenceDocument
from dialogue.machine.actors import Actor
from dialogue.machine.events import LiveEvent
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.questions import routing, screening
from dialogue.questions.tables import Question
from dialogue.reference.tables import Agency
from tests.conftest import DEMO_ACCOUNTS, csrf_token_from, post_form, sign_in

BASE = "https://testserver.local"
NOW = dt.datetime(2026, 12, 10, 1, 0, tzinfo=dt.UTC)  # 08:00 in Hà Nội, a Thursday
END = NOW + dt.timedelta(hours=3, minutes=20)


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


async def record_a_session(conference_id: int, organiser: Actor, secretary: Actor, questions: list[dict],
                           agencies: dict[str, int]) -> None:
    """The day as the console records it: the session started from the conference page, three
    items (answered on the spot, in writing, a commitment), attendance, conclusions and a
    commitment of the conclusions."""
    kt, ca = agencies["KT-HT-ĐT"], agencies["CA"]
    await session_commands.add_items(organiser, conference_id, [q["id"] for q in questions[:3]], NOW)
    await session_commands.change_conference_state(organiser, conference_id, "start", NOW, base_url=BASE)
    items = await session_queries.items_of(conference_id)
    await session_commands.save_outcome(secretary, conference_id, items[0]["id"], "answered", {
        "answered_by_agency": str(kt), "answered_by_position": "Trưởng phòng Kinh tế, Hạ tầng và Đô thị",
        "summary": "Phường sẽ cải tạo hệ thống thoát nước ngõ 120 trong quý I năm 2027.", "version": "1"}, NOW)
    await session_commands.save_outcome(secretary, conference_id, items[1]["id"], "writing",
                                        {"written_due_on": "15/01/2027", "version": "1"}, NOW)
    await session_commands.add_commitment(secretary, conference_id, items[2]["id"], {
        "commitment_text": "Lắp đèn chiếu sáng ngõ 35 phố Hoàng Cầu.", "lead_agency": str(kt),
        "cooperating": str(ca), "due_on": "31/03/2027"}, NOW)
    started = (await session_queries.session_of(conference_id))["started_clock"]  # the form shows the time taken
    assert started == "08:00"
    await session_commands.save_attendance(secretary, conference_id, {"started_at": started,
        "residents": "120", "businesses": "8", "organisations": "3",
        "chair": "Nguyễn Văn Hải, Phó Chủ tịch UBND phường", "secretary": "Trần Minh Đức",
        "co_organiser": "Lê Thị Hoa, Chủ tịch Ủy ban MTTQ phường"}, NOW)
    await session_commands.add_attendee(secretary, conference_id, {
        "agency": str(kt), "name": "Phạm Quốc Bảo", "position": "Trưởng phòng"}, NOW)
    await session_commands.save_conclusions(secretary, conference_id, {
        "conclusions": "Các cơ quan giải quyết dứt điểm kiến nghị về thoát nước và chiếu sáng trước mùa mưa.",
        "version": "1"}, NOW)
    await session_commands.add_commitment(secretary, conference_id, None, {
        "commitment_text": "Rà soát toàn bộ hệ thống thoát nước của phường.", "lead_agency": str(kt),
        "due_on": "30/06/2027"}, NOW)


@pytest.fixture
async def day(demo_db):
    """The demo conference in session with a recorded session (three items dealt with)."""
    await load_demo(dt.date(2026, 12, 1))
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    secretary = await actor(DEMO_ACCOUNTS["secretary"])
    conference = await Conference.select().where(Conference.kind == "residents").first()
    questions = await Question.select().where(Question.conference == conference["id"]).order_by(Question.id)
    agencies = {row["short_name"]: row["id"] for row in await Agency.select(Agency.id, Agency.short_name)}
    for q in questions[:3]:
        await screening.decide(organiser, q["id"], "accept", {}, NOW, BASE)
    await routing.assign(organiser, questions[0]["id"], {"lead_agency": str(agencies["KT-HT-ĐT"])}, NOW, BASE)
    await Question.update({Question.language: "en"}).where(Question.id == questions[1]["id"])
    await record_a_session(conference["id"], organiser, secretary, questions, agencies)
    return {"conference": conference, "questions": questions, "organiser": organiser, "secretary": secretary,
            "agencies": agencies}


async def sign_out(client) -> None:
    await post_form(client, "/sign-out", {}, page="/account/password")
    client.cookies.clear()


async def drafts(conference_id: int) -> dict[str, dict]:
    return {row["kind"]: row for row in await queries.latest_of(conference_id)}


async def test_ending_the_session_drafts_both_documents_from_the_record_once(day):
    conference_id, secretary, questions = day["conference"]["id"], day["secretary"], day["questions"]
    session = await ConferenceSession.select().where(ConferenceSession.conference == conference_id).first()
    assert session["started_at"] == NOW and session["ended_at"] is None  # the start was taken at "start"
    assert await commands.end_session(secretary, conference_id, END) is True
    assert await commands.end_session(secretary, conference_id, END + dt.timedelta(minutes=5)) is False
    session = await ConferenceSession.select().where(ConferenceSession.conference == conference_id).first()
    assert session["ended_at"] == END
    docs = await drafts(conference_id)
    assert set(docs) == {"minutes", "notice"} and await ConferenceDocument.count() == 2
    minutes, notice = docs["minutes"]["content"], docs["notice"]["content"]
    assert minutes["time_line"] == "Vào lúc 08 giờ 00 phút, ngày 10 tháng 12 năm 2026."
    assert "11 giờ 20 phút" in minutes["closing_line"]
    assert "120 người dân" in minutes["participants"] and "Phạm Quốc Bảo" in minutes["participants"]
    records = minutes["items"]
    assert [r["question_id"] for r in records] == [q["id"] for q in questions[:3]]
    assert "quý I năm 2027" in records[0]["answer"] and "Trưởng phòng Kinh tế" in records[0]["answer"]
    assert "15/01/2027" in records[1]["answer"] and "Lắp đèn chiếu sáng" in records[2]["commitments"]
    assert records[0]["asker"].startswith(("Người", "Doanh", "Tổ chức", "Một"))
    assert [t["issue"] for t in notice["tasks"]] == ["Lắp đèn chiếu sáng ngõ 35 phố Hoàng Cầu.",
                                                      "Rà soát toàn bộ hệ thống thoát nước của phường."]
    assert notice["tasks"][0]["cooperating"] == [day["agencies"]["CA"]]
    assert (notice["signer_authority"], notice["signer_position"], notice["signer_name"]) == (
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Hải")
    everything = json.dumps(docs["minutes"]["content"], ensure_ascii=False) + json.dumps(notice, ensure_ascii=False)
    for q in questions[:3]:
        assert q["asker_name"] not in everything and q["asker_email"] not in everything
        assert not q["asker_phone"] or q["asker_phone"] not in everything
    assert await ActionLog.count().where(ActionLog.action == "session_ended") == 1
    assert await LiveEvent.count().where((LiveEvent.channel == f"conference:{conference_id}")
                                         & (LiveEvent.kind == "session_ended")) == 1


async def publish(day, now=END) -> commands.PublishResult:
    return await commands.publish(day["organiser"], day["conference"]["id"], now, BASE)


async def test_publishing_once_numbers_concludes_hands_over_and_tells_the_askers(day):
    conference_id, organiser, questions = day["conference"]["id"], day["organiser"], day["questions"]
    await commands.end_session(day["secretary"], conference_id, END)
    notice = (await drafts(conference_id))["notice"]
    form = notice_form(notice)
    n = len(notice["content"]["tasks"])  # the blank row: a new task
    form.update({f"task-{n}-issue": "Tổ chức đối thoại chuyên đề về trật tự đô thị.",
                 f"task-{n}-lead_agency": str(day["agencies"]["VP"]), f"task-{n}-expected_output": "Kế hoạch tổ chức",
                 f"task-{n}-due_on": "28/02/2027", "task-0-due_on": "15/04/2027"})
    await commands.save(organiser, notice["id"], form, END)
    before = await Commitment.count()
    result = await publish(day)
    assert sorted((p["kind"], p["number"], p["symbol"]) for p in result.published) == [
        ("minutes", 1, "BB-UBND"), ("notice", 1, "TB-UBND")]
    assert result.concluded and result.commitments_created == 1 and result.commitments_updated == 1
    assert (await Conference.select(Conference.state).where(Conference.id == conference_id).first())["state"] \
        == "concluded"
    new = await Commitment.select().where(Commitment.origin == "notice")
    assert [(c["text"], c["expected_output"], c["due_on"], c["state"]) for c in new] == [
        ("Tổ chức đối thoại chuyên đề về trật tự đô thị.", "Kế hoạch tổ chức", dt.date(2027, 2, 28), "open")]
    assert await Commitment.count() == before + 1
    moved = await Commitment.select().where(Commitment.text == "Lắp đèn chiếu sáng ngõ 35 phố Hoàng Cầu.").first()
    assert moved["due_on"] == dt.date(2027, 4, 15) and moved["version"] == 2
    assert await ActionLog.count().where(ActionLog.action == "commitment_updated") == 1
    assert await ActionLog.count().where(ActionLog.action == "conference_conclude") == 1
    assert await LiveEvent.count().where((LiveEvent.channel == f"conference:{conference_id}")
                                         & (LiveEvent.kind == "conference_conclude")) == 1
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "conference_outcome").order_by(OutboxMessage.id)
    askers = [q for q in questions[:3] if q["asker_email"]]
    assert sorted(m["to_address"] for m in mails) == sorted(q["asker_email"] for q in askers)
    by_address = {m["to_address"]: m for m in mails}
    first = by_address.get(questions[0]["asker_email"])
    if first:
        assert "quý I năm 2027" in first["text_body"] and "1/TB-UBND" in first["text_body"]
        assert "Hội nghị" in first["subject"] or "hội nghị" in first["subject"]
    second = by_address.get(questions[1]["asker_email"])
    if second:  # this asker wrote in English
        assert "written answer by 15/01/2027" in second["text_body"]
    third = by_address.get(questions[2]["asker_email"])
    if third:
        assert "Lắp đèn chiếu sáng" in third["text_body"] and "15/04/2027" in third["text_body"]
    # Twice: nothing more.
    again = await publish(day)
    assert again.nothing_to_do
    assert await OutboxMessage.count().where(OutboxMessage.kind == "conference_outcome") == len(mails)
    assert await ConferenceDocument.count().where(ConferenceDocument.number.is_not_null()) == 2
    assert await Commitment.count() == before + 1


def notice_form(notice: dict) -> dict:
    """The notice's form as the page fills it."""
    content = notice["content"]
    form = {name: content[name] for name in ("summary", "opening", "conclusions", "recipients", "signer_authority",
                                             "signer_position", "signer_name")}
    for n, task in enumerate(content["tasks"]):
        form.update({f"task-{n}-issue": task["issue"], f"task-{n}-lead_agency": str(task["lead_agency"]),
                     f"task-{n}-cooperating": ",".join(str(a) for a in task["cooperating"]),
                     f"task-{n}-expected_output": task["expected_output"],
                     f"task-{n}-due_on": dt.date.fromisoformat(task["due_on"]).strftime("%d/%m/%Y")})
    form["version"] = str(notice["version"])
    return form


async def test_the_word_file_and_the_pdf_of_the_notice(day):
    conference_id = day["conference"]["id"]
    await commands.end_session(day["secretary"], conference_id, END)
    await publish(day)
    notice = await ConferenceDocument.select().where(ConferenceDocument.kind == "notice").first()
    word = Document(io.BytesIO(notice["docx"]))
    header = word.tables[0].rows[0].cells
    assert [p.text for p in header[0].paragraphs if p.text][:3] == [
        "ỦY BAN NHÂN DÂN", "PHƯỜNG ĐỐNG ĐA", "Số: 1/TB-UBND"]
    motto = [p.text for p in header[1].paragraphs if p.text]
    assert motto[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    dateline = next(p for p in header[1].paragraphs if p.text.startswith("Đống Đa, ngày"))
    assert dateline.text == "Đống Đa, ngày 10 tháng 12 năm 2026" and all(r.italic for r in dateline.runs)
    texts = [p.text for p in word.paragraphs]
    assert "THÔNG BÁO" in texts and any(t.startswith("Kết luận của Chủ tịch Ủy ban nhân dân phường Đống Đa")
                                        for t in texts)
    tasks = next(t for t in word.tables if t.rows[0].cells[0].text == "TT")
    rows = [[c.text for c in row.cells] for row in tasks.rows[1:]]
    assert rows[0][1] == "Lắp đèn chiếu sáng ngõ 35 phố Hoàng Cầu." and rows[0][5] == "31/03/2027"
    assert rows[0][2] == "Phòng Kinh tế, Hạ tầng và Đô thị phường Đống Đa" and rows[0][3] == "Công an phường Đống Đa"
    assert len(rows) == 2
    assert word.styles["Normal"].font.name == "Times New Roman"
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.left_margin.mm), round(section.right_margin.mm), round(section.top_margin.mm)) == (30, 15, 20)
    footer = word.tables[-1].rows[0].cells
    assert footer[0].paragraphs[0].text == "Nơi nhận:"
    assert [p.text for p in footer[1].paragraphs if p.text] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Hải"]

    pdf = PdfReader(io.BytesIO(notice["pdf"]))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    flat = " ".join(text.split())
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 1/TB-UBND",
                     "Lắp đèn chiếu sáng ngõ 35 phố Hoàng Cầu", "Công an phường Đống Đa", "Nơi nhận",
                     "Đống Đa, ngày 10 tháng 12 năm 2026", "Nội dung nhiệm vụ"):
        assert expected in flat, expected
    page = pdf.pages[0]
    assert (round(float(page.mediabox.width) * 25.4 / 72), round(float(page.mediabox.height) * 25.4 / 72)) == (
        210, 297)
    fonts = []
    for page in pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            fonts.append(descriptor.get_object())
    assert fonts and all("/FontFile2" in f or "/FontFile3" in f for f in fonts)


async def test_numbers_run_per_unit_year_and_kind(day):
    """The ward's second conference of the year takes the next numbers in the ward's register."""
    conference_id = day["conference"]["id"]
    await commands.end_session(day["secretary"], conference_id, END)
    await publish(day)
    unit = day["conference"]["unit"]
    rows = await Conference.insert(Conference(
        title="Hội nghị đối thoại chuyên đề về trật tự đô thị", title_folded="hoi nghi", kind="thematic", unit=unit,
        state="in_session", starts_at=NOW, venue="Hội trường UBND phường")).returning(Conference.id)
    second = rows[0]["id"]
    assert await commands.end_session(day["secretary"], second, END) is True
    result = await commands.publish(day["organiser"], second, END, BASE)
    assert sorted((p["kind"], p["number"]) for p in result.published) == [("minutes", 2), ("notice", 2)]
    numbers = await ConferenceDocument.select(ConferenceDocument.number_key).order_by(ConferenceDocument.id)
    assert [r["number_key"] for r in numbers] == [f"{unit}:2026:minutes:1", f"{unit}:2026:notice:1",
                                                  f"{unit}:2026:minutes:2", f"{unit}:2026:notice:2"]
    assert result.mails == 0 and result.concluded  # nothing was asked at that one


async def test_editing_a_draft_with_a_conflict_keeps_both_texts(day):
    conference_id, organiser = day["conference"]["id"], day["organiser"]
    await commands.end_session(day["secretary"], conference_id, END)
    minutes = (await drafts(conference_id))["minutes"]
    form = queries.form_values(minutes)
    mine = {**form, "conclusions": "Bản của tôi.", "item-0-answer": "Trả lời đã biên tập."}
    theirs = {**form, "conclusions": "Bản của người khác."}
    assert await commands.save(organiser, minutes["id"], theirs, END) == 2
    with pytest.raises(commands.DocumentConflict) as conflict:
        await commands.save(organiser, minutes["id"], mine, END)
    assert conflict.value.current["content"]["conclusions"] == "Bản của người khác."
    with pytest.raises(InvalidInput) as error:
        await commands.save(organiser, minutes["id"], {**mine, "summary": "", "version": "2"}, END)
    assert "summary" in error.value.errors
    await commands.save(organiser, minutes["id"], {**mine, "version": "2"}, END)
    saved = await queries.document_row(minutes["id"])
    assert saved["content"]["conclusions"] == "Bản của tôi." and saved["content"]["items"][0]["answer"] == \
        "Trả lời đã biên tập." and saved["content"]["items"][0]["question_id"] == day["questions"][0]["id"]
    notice = (await drafts(conference_id))["notice"]
    bad = {**notice_form(notice), "task-0-lead_agency": "", "task-0-due_on": "sớm"}
    with pytest.raises(InvalidInput) as error:
        await commands.save(organiser, notice["id"], bad, END)
    assert set(error.value.errors) == {"task-0-lead_agency", "task-0-due_on"}
    removed = {**notice_form(notice), "task-1-remove": "yes"}
    await commands.save(organiser, notice["id"], removed, END)
    assert len((await queries.document_row(notice["id"]))["content"]["tasks"]) == 1
    assert await ActionLog.count().where(ActionLog.action == "document_edited") == 3


async def test_a_correction_is_a_new_version_and_the_first_stays_as_it_was(day):
    conference_id, organiser = day["conference"]["id"], day["organiser"]
    await commands.end_session(day["secretary"], conference_id, END)
    await publish(day)
    first = await ConferenceDocument.select().where(ConferenceDocument.kind == "notice").first()
    with pytest.raises(Conflict):
        await commands.save(organiser, first["id"], notice_form(await queries.document_row(first["id"])), END)
    later = END + dt.timedelta(days=5)
    draft_id = await commands.correct(organiser, first["id"], later)
    assert await commands.correct(organiser, first["id"], later) == draft_id  # begun once
    draft = await queries.document_row(draft_id)
    assert (draft["edition"], draft["supersedes"], draft["number"]) == (2, first["id"], None)
    form = {**notice_form(draft), "task-0-due_on": "30/04/2027"}
    with pytest.raises(InvalidInput):  # a correction says why
        await commands.save(organiser, draft_id, form, later)
    await commands.save(organiser, draft_id, {**form, "correction_note": "Điều chỉnh thời hạn nhiệm vụ 1."}, later)
    result = await commands.publish(organiser, conference_id, later, BASE)
    assert [(p["kind"], p["number"]) for p in result.published] == [("notice", 2)]
    assert result.mails == 0 and not result.concluded and result.commitments_updated == 1
    again = await ConferenceDocument.select().where(ConferenceDocument.id == first["id"]).first()
    assert bytes(again["pdf"]) == bytes(first["pdf"]) and bytes(again["docx"]) == bytes(first["docx"])
    assert again["html"] == first["html"] and again["state"] == "published"
    second = await ConferenceDocument.select().where(ConferenceDocument.id == draft_id).first()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(second["pdf"]))).pages).split())
    assert "Văn bản này thay thế Thông báo số 1/TB-UBND ngày 10/12/2026" in text
    assert "Điều chỉnh thời hạn nhiệm vụ 1." in text and "Số: 2/TB-UBND" in text
    listed = await queries.public_documents(conference_id)
    assert [(d.number_text, d.is_replaced) for d in listed if d.kind == "notice"] == [
        ("1/TB-UBND", True), ("2/TB-UBND", False)]
    commitment = await Commitment.select().where(Commitment.text == "Lắp đèn chiếu sáng ngõ 35 phố Hoàng Cầu.").first()
    assert commitment["due_on"] == dt.date(2027, 4, 30)
    with pytest.raises(Conflict):  # the replaced version is corrected no more: its successor is
        await commands.correct(organiser, first["id"], later)
    third = await commands.correct(organiser, draft_id, later)
    assert (await queries.document_row(third))["edition"] == 3


async def test_who_may_touch_the_documents(day, demo_client):
    conference_id = day["conference"]["id"]
    await commands.end_session(day["secretary"], conference_id, END)
    docs = await drafts(conference_id)
    minutes = docs["minutes"]
    for email in (DEMO_ACCOUNTS["viewer"], DEMO_ACCOUNTS["agency_officer"]):
        who = await actor(email)
        with pytest.raises(Forbidden):
            await commands.save(who, minutes["id"], queries.form_values(minutes), END)
        with pytest.raises(Forbidden):
            await commands.publish(who, conference_id, END, BASE)
        with pytest.raises(Forbidden):
            await commands.end_session(who, conference_id, END)
    with pytest.raises(Forbidden):  # the secretary ends the session, the organisers publish
        await commands.publish(day["secretary"], conference_id, END, BASE)
    base = f"/organiser/conferences/{conference_id}/documents"
    gets = [f"{base}/", f"{base}/{minutes['id']}/edit", f"{base}/{minutes['id']}/preview", f"{base}/publish"]
    posts = [f"{base}/{minutes['id']}/edit", f"{base}/publish", f"{base}/{minutes['id']}/correct",
             f"/session/conferences/{conference_id}/console/end"]
    public = f"/conferences/{conference_id}/documents/{minutes['id']}"
    for role in ("viewer", "agency_officer"):
        await sign_in(demo_client, DEMO_ACCOUNTS[role])
        token = csrf_token_from((await demo_client.get("/account/password")).text)
        for path in gets:
            assert (await demo_client.get(path)).status_code == 403, (role, path)
        for path in posts:
            assert (await demo_client.post(path, data={"_csrf_token": token})).status_code == 403, (role, path)
        for fmt in ("html", "pdf", "docx"):  # a draft is not public, whoever asks
            assert (await demo_client.get(f"{public}/{fmt}")).status_code == 404
        await sign_out(demo_client)
    for fmt in ("html", "pdf", "docx"):
        assert (await demo_client.get(f"{public}/{fmt}")).status_code == 404
    assert await ConferenceDocument.count().where(ConferenceDocument.state == "published") == 0


async def test_the_organiser_publishes_from_the_pages_and_the_public_reads_the_files(day, demo_client):
    conference_id, questions = day["conference"]["id"], day["questions"]
    await sign_in(demo_client, DEMO_ACCOUNTS["secretary"])
    console = f"/session/conferences/{conference_id}/console"
    response = await post_form(demo_client, f"{console}/end", {}, page=console, follow_redirects=False)
    assert response.status_code == 303 and "ended=1" in response.headers["location"]
    await sign_out(demo_client)
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    base = f"/organiser/conferences/{conference_id}/documents"
    page = await demo_client.get(f"{base}/")
    assert page.status_code == 200 and "Biên bản hội nghị" in page.text and "Thông báo kết luận" in page.text
    notice = (await drafts(conference_id))["notice"]
    edit = f"{base}/{notice['id']}/edit"
    form = await demo_client.get(edit)
    assert form.status_code == 200 and "Lắp đèn chiếu sáng ngõ 35 phố Hoàng Cầu." in form.text
    stale = {**notice_form(notice), "summary": "Trích yếu của tôi", "version": "0"}
    response = await post_form(demo_client, edit, stale)
    assert response.status_code == 409 and "Trích yếu của tôi" in response.text
    response = await post_form(demo_client, edit, {**notice_form(notice), "task-0-due_on": "hôm qua"})
    assert response.status_code == 400 and "hôm qua" in response.text
    response = await post_form(demo_client, edit, notice_form(notice), follow_redirects=False)
    assert response.status_code == 303
    preview = await demo_client.get(f"{base}/{notice['id']}/preview")
    assert preview.status_code == 200 and "DỰ THẢO" in preview.text and "Độc lập - Tự do - Hạnh phúc" in preview.text
    confirm = await demo_client.get(f"{base}/publish")
    assert confirm.status_code == 200
    response = await post_form(demo_client, f"{base}/publish", {}, page=f"{base}/publish", follow_redirects=False)
    assert response.status_code == 303 and "published=2" in response.headers["location"]
    response = await post_form(demo_client, f"{base}/publish", {}, page=f"{base}/", follow_redirects=False)
    assert "already=1" in response.headers["location"]
    assert "đã được ban hành" in (await demo_client.get(response.headers["location"])).text
    demo_client.cookies.clear()
    public = await demo_client.get(f"/conferences/{conference_id}")
    assert public.status_code == 200 and "1/TB-UBND" in public.text and "1/BB-UBND" in public.text
    notice_id = notice["id"]
    html = await demo_client.get(f"/conferences/{conference_id}/documents/{notice_id}/html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Số: 1/TB-UBND" in html.text and "DỰ THẢO" not in html.text
    for q in questions[:3]:
        assert q["asker_name"] not in html.text and q["asker_email"] not in html.text
    pdf = await demo_client.get(f"/conferences/{conference_id}/documents/{notice_id}/pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "filename*=UTF-8''Th%C3%B4ng%20b%C3%A1o%201-TB-UBND%202026.pdf" in pdf.headers["content-disposition"]
    word = await demo_client.get(f"/conferences/{conference_id}/documents/{notice_id}/docx")
    assert word.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    assert word.headers["content-disposition"].startswith("attachment;")
    assert Document(io.BytesIO(word.content)).tables[0].rows[0].cells[0].paragraphs[1].text == "PHƯỜNG ĐỐNG ĐA"
    assert (await demo_client.get(f"/conferences/{conference_id}/documents/{notice_id}/exe")).status_code == 404
    assert (await demo_client.get(f"/conferences/999/documents/{notice_id}/pdf")).status_code == 404


@pytest.mark.parametrize("table", ["outbox_message", "live_event"])
async def test_a_fault_while_publishing_leaves_everything_as_it_was(day, table):
    from tests.test_transitions import fail_inserts_into

    conference_id = day["conference"]["id"]
    await commands.end_session(day["secretary"], conference_id, END)

    async def state() -> tuple:
        return (await ConferenceDocument.select(ConferenceDocument.id, ConferenceDocument.state,
                                                ConferenceDocument.number, ConferenceDocument.content,
                                                ConferenceDocument.version).order_by(ConferenceDocument.id),
                await Conference.select(Conference.state).where(Conference.id == conference_id).first(),
                await Commitment.select().order_by(Commitment.id), await CommitmentAgency.count(),
                await ActionLog.count(), await LiveEvent.count(), await OutboxMessage.count())

    before = await state()
    await fail_inserts_into(table)
    with pytest.raises(Exception, match="injected fault"):
        await publish(day)
    assert await state() == before


async def test_a_conference_is_concluded_only_by_publishing_its_documents(demo_db, demo_client):
    from dialogue.agenda.commands import change_conference_state
    from tests.conftest import DEMO_ACCOUNTS, sign_in

    conference = await Conference.select().first()
    await Conference.update({Conference.state: "in_session"}).where(Conference.id == conference["id"])
    organiser = Actor.staff(await StaffUser.select().where(StaffUser.email == DEMO_ACCOUNTS["organiser"]).first())
    with pytest.raises(Conflict):
        await change_conference_state(organiser, conference["id"], "conclude", dt.datetime.now(dt.UTC))
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    page = await demo_client.get(f"/organiser/conferences/{conference['id']}")
    assert "/state/conclude" not in page.text  # not offered
    assert (await demo_client.get(f"/organiser/conferences/{conference['id']}/state/conclude")).status_code == 409
    assert (await Conference.select(Conference.state).where(Conference.id == conference["id"]).first())["state"] \
        == "in_session"


async def test_at_the_same_time_two_ends_draft_once_two_corrections_make_one_and_two_publications_two_numbers(day):
    import asyncio

    from dialogue.demo.session import QUESTIONS, conference_in_session

    conference_id, organiser, secretary = day["conference"]["id"], day["organiser"], day["secretary"]
    ended = await asyncio.gather(commands.end_session(secretary, conference_id, END),
                                 commands.end_session(organiser, conference_id, END))
    assert sorted(ended) == [False, True] or ended == [True, True]  # both may record the end; one drafts
    assert await ConferenceDocument.count() == 2
    other = await conference_in_session(day["conference"]["unit"], "Hội nghị thứ hai", "businesses",
                                        NOW - dt.timedelta(days=1), QUESTIONS[:2], "", "thuhai")
    await commands.end_session(secretary, other["id"], END)
    results = await asyncio.gather(commands.publish(organiser, conference_id, END, BASE),
                                   commands.publish(organiser, other["id"], END, BASE))
    assert all(result.published for result in results)
    numbers = sorted((row["kind"], row["number"]) for row in await ConferenceDocument.select(
        ConferenceDocument.kind, ConferenceDocument.number))
    assert numbers == [("minutes", 1), ("minutes", 2), ("notice", 1), ("notice", 2)]
    notice = (await drafts(conference_id))["notice"]
    begun = await asyncio.gather(commands.correct(organiser, notice["id"], END),
                                 commands.correct(organiser, notice["id"], END))
    assert begun[0] == begun[1]
    assert await ConferenceDocument.count().where(ConferenceDocument.supersedes == notice["id"]) == 1
