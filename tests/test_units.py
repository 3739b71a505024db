"""Two wards on one server: each side's organisers, agencies and mail stay on their side.

The demo's Đống Đa ward (00235) and a second ward, Ba Đình (00004), set up as the admin would,
with its own agency, organiser, officer, head, topic and conference; Hà Nội (01) has an agency and
an organiser of its own, which serve and oversee both wards."""

import datetime as dt

import pytest

from dialogue.accounts.commands import hash_password
from dialogue.accounts.tables import StaffUser
from dialogue.answers import queries as answer_queries
from dialogue.conferences.tables import Conference, ConferenceTopic
from dialogue.core.errors import Forbidden, InvalidInput
from dialogue.demo import load_demo
from dialogue.machine.actors import Actor
from dialogue.mail import outbox
from dialogue.mail.tables import OutboxMessage
from dialogue.questions import intake, queries, reminders, routing, screening
from dialogue.questions.tables import Assignment, Question
from dialogue.reference import admin as reference
from dialogue.reference.tables import AdminUnit, Agency, Topic
from dialogue.reference.units import scope_of_unit, units_seen_by
from tests.conftest import DEMO_ACCOUNTS, csrf_token_from, post_form, sign_in
from tests.pinned import NOW, TODAY

BASE = "https://doithoai.example.vn"
PASSWORD = "mật khẩu của phường"
FLOOD = "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn"  # a demo question of Đống Đa
LIGHTS = "Đèn chiếu sáng ngõ 35 Thái Hà hỏng đã ba tháng"
BA_DINH_TITLE = "Lấn chiếm vỉa hè phố Đội Cấn làm người đi bộ phải xuống lòng đường"
BA_DINH_AGENCY = "Công an phường Ba Đình"
BA_DINH_TOPIC = "Trật tự đô thị phường Ba Đình"


def now() -> dt.datetime:
    return NOW


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


async def unit_id(code: str) -> int:
    return (await AdminUnit.select(AdminUnit.id).where(AdminUnit.code == code).first())["id"]


async def agency_id(short_name: str) -> int:
    return (await Agency.select(Agency.id).where(Agency.short_name == short_name).first())["id"]


async def add_staff(email: str, role: str, unit: int | None = None, agency: int | None = None) -> None:
    await StaffUser.insert(StaffUser(email=email, full_name=email.split("@")[0], role=role, unit=unit, agency=agency,
                                     password_hash=hash_password(PASSWORD)))


async def ask(conference_id: int, topic_id: int, area: int, title: str, n: int) -> int:
    form = {"form_token": f"units-{n}", "asker_kind": "resident", "asker_name": "Vũ Thị Hạnh",
            "asker_email": f"hanh{n}@example.vn", "unit": str(area), "topic": str(topic_id), "title": title,
            "body": "Đề nghị phường kiểm tra, xử lý và trả lời cho người dân được biết. " * 2,
            "answer_mode": "writing", "public_consent": "yes", "data_consent": "yes"}
    submitted = await intake.submit_question(conference_id, form, f"198.51.100.{n}", "vi", now(),
                                             intake.SubmissionPolicy(per_address_per_hour=10, base_url=BASE))
    return submitted.question["id"]


@pytest.fixture
async def wards(demo_db):
    """The demo with its questions, a second ward set up by the admin, and the province's own staff."""
    await load_demo(TODAY)
    admin = await actor(DEMO_ACCOUNTS["admin"])
    ba_dinh, hanoi = await unit_id("00004"), await unit_id("01")
    await reference.save_agency(admin, {"name": BA_DINH_AGENCY, "short_name": "CA-BĐ", "unit": "00004",
                                        "email": "congan@badinh.demo"}, now())
    await reference.save_agency(admin, {"name": "Sở Xây dựng Hà Nội", "short_name": "SXD", "unit": "01",
                                        "email": "soxaydung@hanoi.demo"}, now())
    police = await agency_id("CA-BĐ")
    topic = await reference.save_topic(admin, {"code": "badinh_order", "name_vi": BA_DINH_TOPIC,
                                               "name_en": "Urban order in Ba Đình", "audience": "everyone",
                                               "unit": "00004", "default_agency": str(police)}, now())
    await add_staff("organiser@badinh.demo", "organiser", unit=ba_dinh)
    await add_staff("officer@badinh.demo", "agency_officer", agency=police)
    await add_staff("head@badinh.demo", "agency_head", agency=police)
    await add_staff("organiser@hanoi.demo", "organiser", unit=hanoi)
    await add_staff("head@hanoi.demo", "agency_head", agency=await agency_id("SXD"))
    start = now()
    rows = await Conference.insert(Conference(
        title="Hội nghị đối thoại phường Ba Đình năm 2026", title_folded="hoi nghi doi thoai phuong ba dinh nam 2026",
        unit=ba_dinh, state="open", questions_open_at=start - dt.timedelta(days=1),
        questions_close_at=start + dt.timedelta(days=10), starts_at=start + dt.timedelta(days=20),
    )).returning(Conference.id)
    conference = rows[0]["id"]
    # Its own topic, and (as a conference made before topics had units could) one of Đống Đa's topics,
    # whose default agency is Đống Đa's economy office.
    construction = (await Topic.select(Topic.id).where(Topic.code == "construction").first())["id"]
    await ConferenceTopic.insert(ConferenceTopic(conference=conference, topic=topic),
                                 ConferenceTopic(conference=conference, topic=construction))
    question = await ask(conference, topic, ba_dinh, BA_DINH_TITLE, 1)
    legacy = await ask(conference, construction, ba_dinh, "Công trình xây dựng sai phép trên phố Kim Mã", 2)
    return {"ba_dinh": ba_dinh, "hanoi": hanoi, "dong_da": await unit_id("00235"), "conference": conference,
            "topic": topic, "question": question, "legacy": legacy, "police": police,
            "province": await agency_id("SXD"), "economy": await agency_id("KT-HT-ĐT"),
            "dd_police": await agency_id("CA")}


async def question_titled(title: str) -> dict:
    return await Question.select().where(Question.title == title).first()


async def accepted(title: str) -> dict:
    question = await question_titled(title)
    await screening.decide(await actor(DEMO_ACCOUNTS["organiser"]), question["id"], "accept", {}, now(), BASE)
    return question


async def active_assignments(question_id: int) -> set[tuple[int, str]]:
    rows = await Assignment.select().where((Assignment.question == question_id) & (Assignment.active == True))
    return {(row["agency"], row["role"]) for row in rows}


# --- Routing -------------------------------------------------------------------------------

async def test_a_question_cannot_be_routed_to_another_wards_agency(wards):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    flood = await accepted(FLOOD)
    with pytest.raises(InvalidInput) as refused:
        await routing.assign(organiser, flood["id"], {"lead_agency": str(wards["police"])}, now(), BASE)
    assert "lead_agency" in refused.value.errors
    assert await active_assignments(flood["id"]) == set()
    assert (await question_titled(FLOOD))["state"] == "accepted"
    officer = await actor("officer@badinh.demo")
    assert await answer_queries.agency_inbox(officer, now()) == []
    with pytest.raises(Forbidden):
        await routing.agency_question(officer, flood["id"])
    # The ward's own agencies, and the province's, still serve it.
    await routing.assign(organiser, flood["id"], {"lead_agency": str(wards["province"])}, now(), BASE)
    assert await active_assignments(flood["id"]) == {(wards["province"], "lead")}


async def test_bulk_routing_routes_only_to_an_agency_that_serves_the_question(wards):
    organiser = await actor("organiser@badinh.demo")
    result = await routing.accept_and_route(organiser, [wards["question"], wards["legacy"]], now(), BASE)
    assert await active_assignments(wards["question"]) == {(wards["police"], "lead")}
    # The legacy topic's agency is Đống Đa's: the question is accepted and left for routing by hand.
    left = await Question.select().where(Question.id == wards["legacy"]).first()
    assert await active_assignments(wards["legacy"]) == set()
    assert await answer_queries.agency_inbox(await actor(DEMO_ACCOUNTS["agency_officer"]), now()) == []
    assert left["state"] == "accepted"
    assert result.done == [wards["question"]] and [question for question, _why in result.refused] == [wards["legacy"]]
    assert "Đã chấp nhận nhưng lĩnh vực của câu hỏi chưa có cơ quan" in result.refused[0][1]


async def test_the_organiser_is_told_which_questions_bulk_routing_left(wards, demo_client):
    await sign_in(demo_client, "organiser@badinh.demo", PASSWORD)
    queue = f"/organiser/conferences/{wards['conference']}/queue"
    page = (await demo_client.get(queue)).text
    response = await demo_client.post(f"{queue}/accept-and-route", data={
        "_csrf_token": csrf_token_from(page), "question": [str(wards["question"]), str(wards["legacy"])]})
    assert response.status_code == 200
    legacy = await Question.select().where(Question.id == wards["legacy"]).first()
    assert intake.display_code(legacy["tracking_code"]) in response.text
    assert "Đã chấp nhận nhưng lĩnh vực của câu hỏi chưa có cơ quan" in response.text


async def test_another_wards_agency_cannot_contribute(wards):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    flood = await accepted(FLOOD)
    with pytest.raises(InvalidInput) as refused:
        await routing.assign(organiser, flood["id"], {"lead_agency": str(wards["economy"])}, now(), BASE,
                             lists={"contributing": [str(wards["dd_police"]), str(wards["police"])]})
    assert "contributing" in refused.value.errors
    assert await active_assignments(flood["id"]) == set()
    with pytest.raises(Forbidden):
        await routing.agency_question(await actor("officer@badinh.demo"), flood["id"])
    await routing.assign(organiser, flood["id"], {"lead_agency": str(wards["economy"])}, now(), BASE,
                         lists={"contributing": [str(wards["dd_police"]), str(wards["province"])]})
    assert await active_assignments(flood["id"]) == {
        (wards["economy"], "lead"), (wards["dd_police"], "contributing"), (wards["province"], "contributing")}


async def test_the_organisers_pages_offer_and_accept_only_their_wards_agencies(wards, demo_client):
    flood = await accepted(FLOOD)
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    page = f"/organiser/questions/{flood['id']}"
    shown = (await demo_client.get(page)).text
    assert BA_DINH_AGENCY not in shown and "Phòng Kinh tế, Hạ tầng và Đô thị phường Đống Đa" in shown
    assert "Sở Xây dựng Hà Nội" in shown  # the province's agency serves its wards
    queue = (await demo_client.get(f"/organiser/conferences/{await conference_of(flood)}/queue")).text
    assert "CA-BĐ" not in queue and "KT-HT-ĐT" in queue
    for form, field in (({"lead_agency": str(wards["police"])}, "lead_agency"),
                        ({"lead_agency": str(wards["economy"]), "contributing": str(wards["police"])}, "contributing")):
        refused = await post_form(demo_client, f"{page}/assign", form, page=page)
        assert refused.status_code == 400 and f'href="#{field}' in refused.text, refused.text
        assert "không phục vụ" in refused.text
    assert await active_assignments(flood["id"]) == set()


async def conference_of(question: dict) -> int:
    return question["conference"]


# --- Reminders -----------------------------------------------------------------------------

async def test_each_reminder_lists_the_items_of_one_ward_and_is_filed_under_it(wards):
    monday = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
    flood = await accepted(FLOOD)
    # Both wards route a question to the province's agency, which serves them both.
    await routing.assign(await actor(DEMO_ACCOUNTS["organiser"]), flood["id"],
                         {"lead_agency": str(wards["province"])}, monday, BASE)
    ba_dinh = await actor("organiser@badinh.demo")
    await screening.decide(ba_dinh, wards["question"], "accept", {}, monday, BASE)
    await routing.assign(ba_dinh, wards["question"], {"lead_agency": str(wards["province"])}, monday, BASE)

    thursday = dt.datetime(2026, 12, 10, 2, 0, tzinfo=dt.UTC)  # two working days left
    assert (await reminders.tick(thursday, BASE))["due_soon"] == 2  # one e-mail per ward
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "reminder_due_soon").order_by(OutboxMessage.id)
    assert {m["to_address"] for m in mails} == {"head@hanoi.demo"}
    by_unit = {m["unit"]: m["text_body"] for m in mails}
    assert set(by_unit) == {wards["dong_da"], wards["ba_dinh"]}
    assert FLOOD in by_unit[wards["dong_da"]] and BA_DINH_TITLE not in by_unit[wards["dong_da"]]
    assert BA_DINH_TITLE in by_unit[wards["ba_dinh"]] and FLOOD not in by_unit[wards["ba_dinh"]]

    seen = await outbox.messages_for(await units_seen_by(await actor(DEMO_ACCOUNTS["organiser"])))
    assert not any(BA_DINH_TITLE in m["text_body"] for m in seen)
    assert any(FLOOD in m["text_body"] for m in seen if m["kind"] == "reminder_due_soon")
    seen = await outbox.messages_for(await units_seen_by(ba_dinh))
    assert not any(FLOOD in m["text_body"] for m in seen)
    province = await outbox.messages_for(await units_seen_by(await actor("organiser@hanoi.demo")))
    assert len([m for m in province if m["kind"] == "reminder_due_soon"]) == 2

    tuesday = dt.datetime(2026, 12, 15, 2, 0, tzinfo=dt.UTC)
    assert (await reminders.tick(tuesday, BASE))["overdue"] == 2
    overdue = await OutboxMessage.select().where(OutboxMessage.kind == "reminder_overdue")
    assert {(m["to_address"], m["unit"]) for m in overdue} == {
        ("organiser@dongda.demo", wards["dong_da"]), ("organiser@badinh.demo", wards["ba_dinh"])}


# --- A province's staff --------------------------------------------------------------------

async def test_a_province_organiser_works_in_its_wards_with_the_agencies_that_serve_each(wards):
    province = await actor("organiser@hanoi.demo")
    seen = await units_seen_by(province)
    assert {wards["hanoi"], wards["dong_da"], wards["ba_dinh"]} <= set(seen)
    assert (await scope_of_unit(wards["ba_dinh"])).unit_path == (wards["ba_dinh"], wards["hanoi"])
    flood = await question_titled(FLOOD)
    await screening.decide(province, flood["id"], "accept", {}, now(), BASE)
    with pytest.raises(InvalidInput):
        await routing.assign(province, flood["id"], {"lead_agency": str(wards["police"])}, now(), BASE)
    await routing.assign(province, flood["id"], {"lead_agency": str(wards["economy"])}, now(), BASE,
                         lists={"contributing": [str(wards["province"])]})
    assert await active_assignments(flood["id"]) == {(wards["economy"], "lead"), (wards["province"], "contributing")}
    result = await routing.accept_and_route(province, [wards["question"], wards["legacy"]], now(), BASE)
    assert len(result.done) == 1 and len(result.refused) == 1
    page = await queries.screening_page(province, wards["question"], now())
    assert {a["id"] for a in page["agencies"]} == {wards["police"], wards["province"]}
    with pytest.raises(Forbidden):  # a ward's organiser does not reach the other ward
        await routing.assign(await actor("organiser@badinh.demo"), flood["id"],
                             {"lead_agency": str(wards["police"])}, now(), BASE)


# --- Topics --------------------------------------------------------------------------------

async def test_conferences_take_only_the_topics_of_their_unit(wards, demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    form = (await demo_client.get("/organiser/conferences/new")).text
    assert BA_DINH_TOPIC not in form and "Trật tự xây dựng, quản lý đô thị" in form
    refused = await demo_client.post("/organiser/conferences/new", data={
        "_csrf_token": csrf_token_from(form), "title": "Đối thoại với doanh nghiệp phường Đống Đa 2027",
        "kind": "businesses", "unit": "00235", "release_policy": "on_approval", "answer_days": "10",
        "topics": [str(wards["topic"])]})
    assert refused.status_code == 400 and 'href="#topics"' in refused.text
    assert not await Conference.exists().where(Conference.kind == "businesses")

    await sign_in(demo_client, DEMO_ACCOUNTS["admin"])
    new = (await demo_client.get("/organiser/conferences/new")).text  # no unit yet: every topic, none of a unit ticked
    topic = wards["topic"]
    assert f'value="{topic}">' in new and f'{BA_DINH_TOPIC} <span class="field__optional">(Phường Ba Đình)' in new
    edit = (await demo_client.get(f"/organiser/conferences/{wards['conference']}/edit")).text
    assert BA_DINH_TOPIC in edit and "Thủ tục hành chính" not in edit  # a Đống Đa topic it does not have
    assert "Trật tự xây dựng, quản lý đô thị" in edit  # the one it took before topics had units stays visible


async def test_a_topics_default_agency_serves_the_topics_unit(wards):
    admin = await actor(DEMO_ACCOUNTS["admin"])
    form = {"code": "badinh_land", "name_vi": "Đất đai phường Ba Đình", "name_en": "Land in Ba Đình",
            "audience": "everyone"}
    with pytest.raises(InvalidInput) as refused:
        await reference.save_topic(admin, {**form, "unit": "00004", "default_agency": str(wards["economy"])}, now())
    assert "default_agency" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:  # a topic of every unit has no one agency for all of them
        await reference.save_topic(admin, {**form, "default_agency": str(wards["police"])}, now())
    assert "default_agency" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        await reference.save_topic(admin, {**form, "unit": "99999"}, now())
    assert "unit" in refused.value.errors
    topic = await reference.save_topic(admin, {**form, "unit": "00004", "default_agency": str(wards["province"])},
                                       now())
    row = await Topic.select().where(Topic.id == topic).first()
    assert (row["unit"], row["default_agency"]) == (wards["ba_dinh"], wards["province"])
