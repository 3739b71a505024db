"""The conference day: the agenda, the console's outcomes and commitments, floor questions,
attendance, conflicts between two people on the console, and who may touch any of it."""

import dataclasses
import datetime as dt

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.agenda import commands, queries
from dialogue.agenda.tables import AgendaItem, ConferenceSession
from dialogue.answers import drafting
from dialogue.answers import queries as answer_queries
from dialogue.commitments.machine import COMMITMENT
from dialogue.commitments.queries import of_conference
from dialogue.commitments.tables import Commitment
from dialogue.conferences.queries import get_conference
from dialogue.conferences.tables import Conference
from dialogue.core.errors import Conflict, Forbidden, InvalidInput
from dialogue.demo import load_demo
from dialogue.machine.actors import Actor
from dialogue.machine.events import LiveEvent
from dialogue.machine.log import ActionLog
from dialogue.questions import routing, screening
from dialogue.questions.tables import Question
from dialogue.reference.tables import AdminUnit, Agency, Holiday, Topic
from tests.conftest import DEMO_ACCOUNTS, post_form, sign_in

BASE = "https://doithoai.example.vn"
NOW = dt.datetime(2026, 12, 10, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hà Nội, a Thursday


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


@pytest.fixture
async def day(demo_db):
    """The demo conference with six accepted questions (two routed), one rejected and one merged."""
    await load_demo(dt.date(2026, 12, 1))
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    conference = await Conference.select().first()
    questions = await Question.select().where(Question.conference == conference["id"]).order_by(Question.id)
    for q in questions[:6]:
        await screening.decide(organiser, q["id"], "accept", {}, NOW, BASE)
    kt = await Agency.select(Agency.id).where(Agency.short_name == "KT-HT-ĐT").first()
    for q in questions[:2]:
        await routing.assign(organiser, q["id"], {"lead_agency": str(kt["id"])}, NOW, BASE)
    await screening.decide(organiser, questions[6]["id"], "reject",
                           {"category": "abusive", "reason": "Ngôn từ không phù hợp."}, NOW, BASE)
    await screening.merge(organiser, questions[7]["id"], str(questions[0]["id"]), "", NOW, BASE)
    return {"conference": conference, "questions": questions, "organiser": organiser, "kt": kt["id"]}


async def start(day) -> None:
    await Conference.update({Conference.state: "in_session"}).where(Conference.id == day["conference"]["id"])


async def test_the_agenda_takes_accepted_questions_only_and_keeps_its_order(day):
    conference_id, organiser, questions = day["conference"]["id"], day["organiser"], day["questions"]
    ids = [q["id"] for q in questions[:8]]
    candidates = {c["id"] for c in await queries.candidates(conference_id)}
    assert candidates == set(ids[:6])  # not the rejected one, not the merged one
    assert await commands.add_items(organiser, conference_id, ids, NOW) == 6
    assert await commands.add_items(organiser, conference_id, ids, NOW) == 0  # nothing twice
    items = await queries.items_of(conference_id)
    assert [i["question"] for i in items] == ids[:6] and [i["position"] for i in items] == [1, 2, 3, 4, 5, 6]
    await commands.move_item(organiser, conference_id, items[2]["id"], "up", NOW)
    await commands.move_item(organiser, conference_id, items[0]["id"], "up", NOW)  # already first: no change
    await commands.move_item(organiser, conference_id, items[5]["id"], "down", NOW)  # already last
    order = [i["question"] for i in await queries.items_of(conference_id)]
    assert order == [ids[0], ids[2], ids[1], ids[3], ids[4], ids[5]]
    await commands.remove_item(organiser, conference_id, items[3]["id"], NOW)
    after = await queries.items_of(conference_id)
    assert [i["position"] for i in after] == [1, 2, 3, 4, 5] and ids[3] not in [i["question"] for i in after]
    assert await ActionLog.count().where(ActionLog.action == "agenda_changed") == 3
    assert await LiveEvent.count().where((LiveEvent.channel == f"conference:{conference_id}")
                                         & (LiveEvent.kind == "agenda_changed")) == 3


async def test_grouping_by_topic_counts_and_the_time_estimate(day):
    conference_id, organiser, questions = day["conference"]["id"], day["organiser"], day["questions"]
    await commands.add_items(organiser, conference_id, [q["id"] for q in questions[:6]], NOW)
    await commands.group_by_topic(organiser, conference_id, NOW)
    items = await queries.items_of(conference_id)
    topics = [i["topic"] for i in items]
    assert topics == sorted(topics, key=topics.index)  # every topic's items together
    assert sum(1 for i in items if i["new_topic"]) == len(set(topics))
    await commands.set_minutes(organiser, conference_id, items[0]["id"], "12", NOW)
    with pytest.raises(InvalidInput):
        await commands.set_minutes(organiser, conference_id, items[0]["id"], "0", NOW)
    items = await queries.items_of(conference_id)
    counts = queries.counts(items)
    kinds = [q["asker_kind"] for q in questions[:6]]
    assert counts["resident"] == kinds.count("resident") and counts["business"] == kinds.count("business")
    assert counts["organisation"] == kinds.count("organisation") and counts["total"] == 6
    assert counts["minutes"] == 12 + 5 * 5
    assert [i["starts_after"] for i in items][:3] == [0, 12, 17]
    assert counts["in_writing"] == sum(1 for q in questions[:6] if q["answer_mode"] == "writing")


async def test_a_question_answered_in_writing_stays_listed_with_its_published_answer(day):
    conference_id, organiser, question = day["conference"]["id"], day["organiser"], day["questions"][0]
    await Question.update({Question.answer_mode: "writing"}).where(Question.id == question["id"])
    await Conference.update({Conference.release_policy: "on_approval"}).where(Conference.id == conference_id)
    officer, head = await actor(DEMO_ACCOUNTS["agency_officer"]), await actor(DEMO_ACCOUNTS["agency_head"])
    await drafting.submit(officer, question["id"], NOW, {"body": "Phường sẽ nạo vét cống trong tháng 12."})
    await drafting.review(head, question["id"], "approve", "", NOW, BASE)
    await commands.add_items(organiser, conference_id, [question["id"]], NOW)
    page = await queries.agenda_page(organiser, conference_id)
    assert page["items"][0]["in_writing"] and "nạo vét" in page["items"][0]["answer"]["body"]
    public = await queries.public_agenda(await get_conference(conference_id))
    assert public[0].in_writing and public[0].question.is_public and "nạo vét" in public[0].answer.body


async def test_the_public_agenda_carries_no_personal_data(day):
    conference_id, organiser, questions = day["conference"]["id"], day["organiser"], day["questions"]
    await Question.update({Question.public_consent: False}).where(Question.id == questions[1]["id"])
    await commands.add_items(organiser, conference_id, [q["id"] for q in questions[:3]], NOW)
    names = {f.name for f in dataclasses.fields(queries.PublicAgendaItem)}
    assert names & {"asker_name", "asker_email", "asker_phone", "organisation_name", "tax_code", "body"} == set()
    public = await queries.public_agenda(await get_conference(conference_id))
    hidden = next(item for item in public if item.question.id == questions[1]["id"])
    assert hidden.question.heading == "" and hidden.question.text == "" and hidden.answer is None
    rendered = repr(public)
    for q in questions[:3]:
        assert q["asker_name"] not in rendered and q["asker_email"] not in rendered


async def test_the_public_page_shows_the_agenda_before_the_day(day, demo_client):
    conference_id, organiser, questions = day["conference"]["id"], day["organiser"], day["questions"]
    await commands.add_items(organiser, conference_id, [q["id"] for q in questions[:3]], NOW)
    html = (await demo_client.get(f"/conferences/{conference_id}")).text
    assert 'id="agenda"' in html and (questions[0]["public_summary"] or questions[0]["title"]) in html
    for q in questions[:3]:
        assert q["asker_name"] not in html and q["asker_email"] not in html


async def test_outcomes_need_the_session_and_every_kind_is_recorded(day):
    conference_id, organiser, questions = day["conference"]["id"], day["organiser"], day["questions"]
    secretary = await actor(DEMO_ACCOUNTS["secretary"])
    await commands.add_items(organiser, conference_id, [q["id"] for q in questions[:3]], NOW)
    items = await queries.items_of(conference_id)
    answered = {"answered_by_agency": str(day["kt"]), "answered_by_position": "Trưởng phòng KT-HT-ĐT",
                "summary": "Phường sẽ cải tạo cống trong quý I/2027.", "version": "1"}
    with pytest.raises(Conflict):  # not in session yet
        await commands.save_outcome(secretary, conference_id, items[0]["id"], "answered", answered, NOW)
    await start(day)
    await commands.show_item(secretary, conference_id, items[0]["id"], NOW)
    assert (await queries.session_of(conference_id))["current_item"] == items[0]["id"]
    with pytest.raises(InvalidInput) as error:
        await commands.save_outcome(secretary, conference_id, items[0]["id"], "answered", {"version": "1"}, NOW)
    assert set(error.value.errors) == {"answered_by_agency", "answered_by_position", "summary"}
    assert await commands.save_outcome(secretary, conference_id, items[0]["id"], "answered", answered, NOW) == 2
    await commands.save_outcome(secretary, conference_id, items[1]["id"], "writing",
                                {"written_due_on": "15/01/2027", "version": "1"}, NOW)
    await commands.add_commitment(secretary, conference_id, items[2]["id"], {
        "commitment_text": "Lắp đèn chiếu sáng ngõ 35.", "lead_agency": str(day["kt"]), "due_on": "31/03/2027"}, NOW)
    rows = {i["question"]: i for i in await queries.items_of(conference_id)}
    first, second, third = (rows[q["id"]] for q in questions[:3])
    assert (first["outcome"], first["answered_by_agency_name"], first["answered_by_position"]) == (
        "answered", "Phòng Kinh tế, Hạ tầng và Đô thị phường Đống Đa", "Trưởng phòng KT-HT-ĐT")
    assert second["outcome"] == "writing" and second["written_due_on"] == dt.date(2027, 1, 15)
    assert third["outcome"] == "commitments"
    logged = await ActionLog.select().where(ActionLog.action == "agenda_outcome").order_by(ActionLog.id)
    assert [(e["object_type"], int(e["object_id"])) for e in logged] == [
        ("question", questions[0]["id"]), ("question", questions[1]["id"]), ("question", questions[2]["id"])]
    assert await LiveEvent.count().where((LiveEvent.channel == f"conference:{conference_id}")
                                         & (LiveEvent.kind.is_in(["agenda_outcome", "agenda_current"]))) == 4


async def test_two_people_on_the_console_never_overwrite_each_other(day):
    conference_id, organiser, question = day["conference"]["id"], day["organiser"], day["questions"][0]
    secretary = await actor(DEMO_ACCOUNTS["secretary"])
    await commands.add_items(organiser, conference_id, [question["id"]], NOW)
    await start(day)
    item = (await queries.items_of(conference_id))[0]
    mine = {"answered_by_agency": str(day["kt"]), "answered_by_position": "Trưởng phòng",
            "summary": "Bản của thư ký.", "version": str(item["version"])}
    theirs = {**mine, "summary": "Bản của chủ tọa."}
    await commands.save_outcome(organiser, conference_id, item["id"], "answered", theirs, NOW)
    with pytest.raises(commands.SessionConflict) as conflict:  # saved from the version both loaded
        await commands.save_outcome(secretary, conference_id, item["id"], "answered", mine, NOW)
    assert conflict.value.current["summary"] == "Bản của chủ tọa."
    saved = await AgendaItem.select().where(AgendaItem.id == item["id"]).first()
    assert saved["summary"] == "Bản của chủ tọa." and saved["version"] == 2
    # Conclusions too.
    await commands.save_conclusions(organiser, conference_id, {"conclusions": "Kết luận một.", "version": "1"}, NOW)
    with pytest.raises(commands.SessionConflict):
        await commands.save_conclusions(secretary, conference_id, {"conclusions": "Kết luận hai.", "version": "1"},
                                        NOW)
    assert (await queries.session_of(conference_id))["conclusions"] == "Kết luận một."


async def test_a_stale_save_on_the_console_page_keeps_the_text_and_shows_the_saved_one(day, demo_client):
    conference_id, organiser, question = day["conference"]["id"], day["organiser"], day["questions"][0]
    await commands.add_items(organiser, conference_id, [question["id"]], NOW)
    await start(day)
    item = (await queries.items_of(conference_id))[0]
    await commands.save_outcome(organiser, conference_id, item["id"], "answered", {
        "answered_by_agency": str(day["kt"]), "answered_by_position": "Trưởng phòng", "summary": "Đã lưu trước.",
        "version": "1"}, NOW)
    await sign_in(demo_client, DEMO_ACCOUNTS["secretary"])
    console = f"/session/conferences/{conference_id}/console"
    response = await post_form(demo_client, f"{console}/items/{item['id']}/outcome/answered", {
        "answered_by_agency": str(day["kt"]), "answered_by_position": "Trưởng phòng", "summary": "Chữ của tôi.",
        "version": "1"}, page=console)
    assert response.status_code == 409
    assert "Chữ của tôi." in response.text and "Đã lưu trước." in response.text


async def test_commitments_with_a_date_and_with_working_days_across_a_holiday(day):
    conference_id, organiser, question = day["conference"]["id"], day["organiser"], day["questions"][0]
    secretary = await actor(DEMO_ACCOUNTS["secretary"])
    await commands.add_items(organiser, conference_id, [question["id"]], NOW)
    await start(day)
    item = (await queries.items_of(conference_id))[0]
    ca = await Agency.select(Agency.id).where(Agency.short_name == "CA").first()
    await Holiday.delete().where(Holiday.day.is_in([dt.date(2026, 12, 14), dt.date(2026, 12, 15)]))
    await Holiday.insert(Holiday(day=dt.date(2026, 12, 14), kind="holiday", name="Ngày nghỉ thử", source="admin"))
    # Thursday 10 December + 3 working days: Fri 11, (Sat, Sun, Mon 14 off) Tue 15, Wed 16.
    await commands.add_commitment(secretary, conference_id, item["id"], {
        "commitment_text": "Nạo vét cống ngõ 120.", "lead_agency": str(day["kt"]), "cooperating": str(ca["id"]),
        "due_days": "3"}, NOW)
    await commands.add_commitment(secretary, conference_id, item["id"], {
        "commitment_text": "Báo cáo kết quả.", "lead_agency": str(day["kt"]), "due_on": "20/01/2027"}, NOW)
    await commands.add_commitment(secretary, conference_id, None, {
        "commitment_text": "Rà soát toàn bộ hệ thống thoát nước.", "lead_agency": str(day["kt"]),
        "due_on": "2027-06-30"}, NOW)
    rows = await of_conference(conference_id)
    assert [(r["question"], r["due_on"], r["due_working_days"], r["state"]) for r in rows] == [
        (question["id"], dt.date(2026, 12, 16), 3, "open"), (question["id"], dt.date(2027, 1, 20), None, "open"),
        (None, dt.date(2027, 6, 30), None, "open")]
    assert rows[0]["cooperating"] == ["Công an phường Đống Đa"]
    with pytest.raises(InvalidInput) as error:
        await commands.add_commitment(secretary, conference_id, item["id"], {"due_on": "01/01/2020"}, NOW)
    assert set(error.value.errors) == {"commitment_text", "lead_agency", "due_on"}
    assert await Commitment.count() == 3
    assert await ActionLog.count().where(ActionLog.action == "commitment_record") == 3
    assert COMMITMENT.allowed("") == {"record"} and COMMITMENT.allows("open", "report_done")


async def test_a_floor_question_joins_the_agenda_and_lives_like_any_other(day):
    conference_id, organiser, questions = day["conference"]["id"], day["organiser"], day["questions"]
    secretary = await actor(DEMO_ACCOUNTS["secretary"])
    await commands.add_items(organiser, conference_id, [q["id"] for q in questions[:3]], NOW)
    await start(day)
    items = await queries.items_of(conference_id)
    await commands.show_item(secretary, conference_id, items[0]["id"], NOW)
    topic = await Topic.select(Topic.id).where(Topic.code == "traffic").first()
    unit = await AdminUnit.select(AdminUnit.id).where(AdminUnit.code == "00235").first()
    form = {"asker_kind": "resident", "unit": str(unit["id"]), "topic": str(topic["id"]),
            "body": "Đề nghị lắp gờ giảm tốc trước cổng trường tiểu học.", "contact": "0912 345 678",
            "public_consent": "yes", "form_token": "floor-token-1"}
    with pytest.raises(InvalidInput):
        await commands.record_floor(secretary, conference_id, {**form, "contact": "không rõ"}, NOW)
    question = await commands.record_floor(secretary, conference_id, form, NOW)
    again = await commands.record_floor(secretary, conference_id, form, NOW)  # the same form sent twice
    assert again["id"] == question["id"] and await Question.count().where(Question.origin == "floor") == 1
    stored = await Question.select().where(Question.id == question["id"]).first()
    assert (stored["state"], stored["origin"], stored["asker_phone"], stored["asker_name"], stored["notify_by"]) == (
        "accepted", "floor", "+84912345678", "", "sms")  # a mobile left in the hall: they hear by SMS
    order = [i["question"] for i in await queries.items_of(conference_id)]
    assert order == [questions[0]["id"], question["id"], questions[1]["id"], questions[2]["id"]]  # next item
    assert await ActionLog.count().where((ActionLog.action == "floor_recorded")
                                         & (ActionLog.object_id == str(question["id"]))) == 1
    assert await LiveEvent.count().where((LiveEvent.channel == f"conference:{conference_id}")
                                         & (LiveEvent.kind == "floor_recorded")) == 1
    # Then routed and answered like an online question.
    await routing.assign(organiser, question["id"], {"lead_agency": str(day["kt"])}, NOW, BASE)
    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    await drafting.save_draft(officer, question["id"], {"body": "Phường sẽ lắp gờ giảm tốc trong tháng 1/2027."},
                              NOW)
    assert (await answer_queries.answer_of(question["id"]))["state"] == "draft"
    slip = await queries.floor_slip(secretary, conference_id, question["id"])
    assert slip["code"].replace("-", "") == stored["tracking_code"]


async def test_attendance_is_saved_when_entered(day):
    conference_id = day["conference"]["id"]
    secretary = await actor(DEMO_ACCOUNTS["secretary"])
    await start(day)
    await commands.save_attendance(secretary, conference_id, {
        "residents": "120", "businesses": "8", "organisations": "3", "chair": "Nguyễn Văn A, Chủ tịch UBND phường",
        "secretary": "Trần Minh Đức", "co_organiser": "Chủ tịch UBMTTQ phường", "started_at": "08:05"}, NOW)
    with pytest.raises(InvalidInput):
        await commands.save_attendance(secretary, conference_id, {"residents": "nhiều", "started_at": "25:00"}, NOW)
    await commands.add_attendee(secretary, conference_id, {"agency": str(day["kt"]), "name": "Lê Văn Hùng",
                                                           "position": "Trưởng phòng"}, NOW)
    session = await ConferenceSession.select().first()
    assert (session["residents"], session["businesses"], session["organisations"]) == (120, 8, 3)
    assert session["chair"].startswith("Nguyễn Văn A") and session["started_at"] is not None
    attendees = await queries.attendees_of(conference_id)
    assert [(a["name"], a["position"]) for a in attendees] == [("Lê Văn Hùng", "Trưởng phòng")]
    await commands.remove_attendee(secretary, conference_id, attendees[0]["id"], NOW)
    assert await queries.attendees_of(conference_id) == []
    assert await ActionLog.count().where(ActionLog.action == "session_attendance") == 3


async def test_who_may_touch_the_console(day, demo_client):
    conference_id, organiser, question = day["conference"]["id"], day["organiser"], day["questions"][0]
    await commands.add_items(organiser, conference_id, [question["id"]], NOW)
    await start(day)
    item = (await queries.items_of(conference_id))[0]
    other_unit = await AdminUnit.select(AdminUnit.id).where(  # a commune elsewhere, not above the ward
        (AdminUnit.code != "00235") & AdminUnit.parent.is_not_null()).first()
    await StaffUser.insert(StaffUser(email="other@elsewhere.demo", full_name="Người Khác", role="organiser",
                                     password_hash="x", unit=other_unit["id"]))
    outsider = await actor("other@elsewhere.demo")
    for who in (outsider, await actor(DEMO_ACCOUNTS["viewer"]), await actor(DEMO_ACCOUNTS["agency_officer"])):
        with pytest.raises(Forbidden):
            await commands.show_item(who, conference_id, item["id"], NOW)
        with pytest.raises(Forbidden):
            await queries.console_page(who, conference_id)
    with pytest.raises(Forbidden):  # the secretary records the session but does not build the agenda
        await commands.add_items(await actor(DEMO_ACCOUNTS["secretary"]), conference_id, [question["id"]], NOW)
    for role in ("viewer", "agency_officer"):
        await sign_in(demo_client, DEMO_ACCOUNTS[role])
        assert (await demo_client.get(f"/session/conferences/{conference_id}/console")).status_code == 403
        response = await demo_client.post(f"/session/conferences/{conference_id}/console/items/{item['id']}/show")
        assert response.status_code == 403
        await demo_client.post("/sign-out")
        demo_client.cookies.clear()
    assert (await queries.session_of(conference_id))["current_item"] is None


async def test_the_secretary_runs_the_console_in_the_browser_way(day, demo_client):
    conference_id, organiser, questions = day["conference"]["id"], day["organiser"], day["questions"]
    await commands.add_items(organiser, conference_id, [q["id"] for q in questions[:2]], NOW)
    await start(day)
    items = await queries.items_of(conference_id)
    await sign_in(demo_client, DEMO_ACCOUNTS["secretary"])
    console = f"/session/conferences/{conference_id}/console"
    page = await demo_client.get(console)
    assert page.status_code == 200 and "Hiện lên màn hình" in page.text or "Show on screen" in page.text
    response = await post_form(demo_client, f"{console}/items/{items[1]['id']}/show", {}, page=console,
                               follow_redirects=False)
    assert response.status_code == 303
    assert (await queries.session_of(conference_id))["current_item"] == items[1]["id"]
    response = await post_form(demo_client, f"{console}/items/{items[1]['id']}/commitment", {
        "commitment_text": "", "lead_agency": ""}, page=console)
    assert response.status_code == 400
    agenda = await demo_client.get(f"/session/conferences/{conference_id}/agenda")
    assert agenda.status_code == 403  # the agenda is the organisers'


async def test_the_organiser_pages_render(day, demo_client):
    conference_id, organiser, questions = day["conference"]["id"], day["organiser"], day["questions"]
    await commands.add_items(organiser, conference_id, [q["id"] for q in questions[:3]], NOW)
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    agenda = f"/session/conferences/{conference_id}/agenda"
    page = await demo_client.get(agenda)
    assert page.status_code == 200 and questions[3]["title"] in page.text  # a candidate still
    items = await queries.items_of(conference_id)
    response = await post_form(demo_client, f"{agenda}/items/{items[2]['id']}/up", {}, page=agenda,
                               follow_redirects=False)
    assert response.status_code == 303
    response = await post_form(demo_client, f"{agenda}/items/{items[2]['id']}/minutes", {"minutes": "abc"},
                               page=agenda)
    assert response.status_code == 400
    response = await post_form(demo_client, f"{agenda}/add", {"question": str(questions[3]["id"])}, page=agenda,
                               follow_redirects=False)
    assert response.status_code == 303 and len(await queries.items_of(conference_id)) == 4
    console = await demo_client.get(f"/session/conferences/{conference_id}/console")
    assert console.status_code == 200 and "/state/start" in console.text  # not in session: offer the start
    await start(day)
    console = await demo_client.get(f"/session/conferences/{conference_id}/console")
    assert 'name="version"' in console.text and 'id="floor"' in console.text


async def test_a_fault_in_the_live_event_leaves_nothing_of_a_console_entry(day):
    from tests.test_transitions import fail_inserts_into

    conference_id, organiser, questions = day["conference"]["id"], day["organiser"], day["questions"]
    secretary = await actor(DEMO_ACCOUNTS["secretary"])
    await commands.add_items(organiser, conference_id, [q["id"] for q in questions[:2]], NOW)
    await start(day)
    item = (await queries.items_of(conference_id))[0]
    topic = await Topic.select(Topic.id).where(Topic.code == "traffic").first()
    unit = await AdminUnit.select(AdminUnit.id).where(AdminUnit.code == "00235").first()

    async def state() -> tuple:
        return (await AgendaItem.select().order_by(AgendaItem.id), await Question.count(), await Commitment.count(),
                await ActionLog.count(), await LiveEvent.count(), await ConferenceSession.count())

    before = await state()
    await fail_inserts_into("live_event")
    with pytest.raises(Exception, match="injected fault"):
        await commands.save_outcome(secretary, conference_id, item["id"], "writing",
                                    {"written_due_on": "15/01/2027", "version": "1"}, NOW)
    with pytest.raises(Exception, match="injected fault"):
        await commands.add_commitment(secretary, conference_id, item["id"], {
            "commitment_text": "Lắp đèn.", "lead_agency": str(day["kt"]), "due_days": "5"}, NOW)
    with pytest.raises(Exception, match="injected fault"):
        await commands.record_floor(secretary, conference_id, {
            "asker_kind": "resident", "unit": str(unit["id"]), "topic": str(topic["id"]),
            "body": "Đề nghị lắp gờ giảm tốc.", "form_token": "floor-fault"}, NOW)
    with pytest.raises(Exception, match="injected fault"):
        await commands.show_item(secretary, conference_id, item["id"], NOW)
    assert await state() == before
