"""Screening and routing: transitions, reasons, notifications, merging, similarity, due dates,
and agency isolation — as services and through the web."""

import datetime as dt

import pytest

from dialogue.accounts.commands import hash_password
from dialogue.accounts.tables import StaffUser
from dialogue.answers import queries as answer_queries
from dialogue.conferences.tables import Conference
from dialogue.core.errors import Conflict, Forbidden, InvalidInput
from dialogue.demo import load_demo
from dialogue.machine.actors import Actor
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.questions import intake, queries, routing, screening, similarity
from dialogue.questions.tables import Assignment, Question
from dialogue.reference.tables import Agency
from tests.conftest import DEMO_ACCOUNTS, post_form, sign_in
from tests.pinned import NOW, TODAY

BASE = "https://doithoai.example.vn"


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


@pytest.fixture
async def demo(demo_db):
    """The demo with its 42 questions, received in the days before 'now'."""
    await load_demo(TODAY)
    return demo_db


async def question_titled(title: str) -> dict:
    return await Question.select().where(Question.title == title).first()


def now() -> dt.datetime:
    return NOW  # pinned: the demo's questions arrived in the five days before it


FLOOD = "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn"
FLOOD_NO_ACCENTS = "ngap ung ngo 120 hoang cau"
FLOOD_REORDERED = "Ngõ 120 Hoàng Cầu bị ngập khi mưa to"
LIGHTS = "Đèn chiếu sáng ngõ 35 Thái Hà hỏng đã ba tháng"


async def test_accepting_tells_the_asker_and_logs_the_step(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    question = await question_titled(FLOOD)
    await screening.decide(organiser, question["id"], "accept", {"reason": "Thuộc thẩm quyền của phường."}, now(), BASE)
    after = await Question.select().where(Question.id == question["id"]).first()
    assert after["state"] == "accepted" and after["decision_reason"] == "Thuộc thẩm quyền của phường."
    entry = await ActionLog.select().where(ActionLog.action == "accept").first()
    assert (entry["from_state"], entry["to_state"], entry["actor"]) == ("submitted", "accepted", organiser.staff_id)
    mail = await OutboxMessage.select().where(OutboxMessage.kind == "question_update").first()
    assert mail["to_address"] == question["asker_email"] and "Thuộc thẩm quyền của phường." in mail["text_body"]
    with pytest.raises(Conflict):  # not from the same state twice
        await screening.decide(organiser, question["id"], "accept", {}, now(), BASE)


async def test_rejecting_needs_a_category_and_a_reason_and_says_where_complaints_go(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    question = await question_titled("Tranh chấp ranh giới đất với hộ liền kề")
    with pytest.raises(InvalidInput) as error:
        await screening.decide(organiser, question["id"], "reject", {"category": "", "reason": ""}, now(), BASE)
    assert set(error.value.errors) == {"category", "reason"}
    await screening.decide(organiser, question["id"], "reject", {
        "category": "denunciation", "reason": "Nội dung là tố cáo cán bộ, được giải quyết theo Luật Tố cáo.",
    }, now(), BASE)
    mail = await OutboxMessage.select().where(OutboxMessage.kind == "question_update").first()
    assert "Ban tiếp công dân" in mail["text_body"] and "Luật Tố cáo" in mail["text_body"]


async def test_forwarding_names_the_body(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    question = await question_titled("Kê khai thuế hộ kinh doanh bỏ thuế khoán từ 2026")
    with pytest.raises(InvalidInput):
        await screening.decide(organiser, question["id"], "forward", {"reason": "x"}, now(), BASE)
    await screening.decide(organiser, question["id"], "forward", {
        "forwarded_to": "Thuế cơ sở 4 thành phố Hà Nội", "reason": "Thuộc thẩm quyền của cơ quan thuế."}, now(), BASE)
    after = await Question.select().where(Question.id == question["id"]).first()
    assert after["state"] == "forwarded" and after["forwarded_to"] == "Thuế cơ sở 4 thành phố Hà Nội"


async def test_similar_questions_are_found_without_accents_and_in_any_word_order(demo):
    question = await question_titled(FLOOD)
    found = [s["title"] for s in await similarity.similar(question)]
    assert FLOOD_NO_ACCENTS in found[:3] and FLOOD_REORDERED in found[:4]
    assert LIGHTS not in found
    no_accents = await question_titled(FLOOD_NO_ACCENTS)
    assert (await similarity.similar(no_accents))[0]["title"] in (
        FLOOD, "Cống thoát nước ngõ 120 Hoàng Cầu tắc, mưa là ngập", FLOOD_REORDERED)
    construction = await question_titled("Xay dung khong phep so 12 ngo Thai Thinh")  # đ typed as d, no accents
    assert (await similarity.similar(construction))[0]["title"] \
        == "Công trình xây dựng không phép tại số 12 ngõ Thái Thịnh"


async def test_merging_keeps_a_trail_and_the_merged_asker_hears_the_main_news(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    main, duplicate = await question_titled(FLOOD), await question_titled(FLOOD_REORDERED)
    with pytest.raises(InvalidInput):
        await screening.merge(organiser, duplicate["id"], str(duplicate["id"]), "", now(), BASE)
    await screening.merge(organiser, duplicate["id"], intake.display_code(main["tracking_code"]), "", now(), BASE)
    merged = await Question.select().where(Question.id == duplicate["id"]).first()
    assert merged["state"] == "merged" and merged["merged_into"] == main["id"]
    told = await OutboxMessage.select().where(OutboxMessage.to_address == duplicate["asker_email"]).first()
    assert intake.display_code(main["tracking_code"]) in told["text_body"]

    await screening.decide(organiser, main["id"], "accept", {}, now(), BASE)
    to_duplicate_asker = await OutboxMessage.count().where(OutboxMessage.to_address == duplicate["asker_email"])
    assert to_duplicate_asker == 2  # the merge, then the main question's news

    await screening.unmerge(organiser, duplicate["id"], now(), BASE)
    back = await Question.select().where(Question.id == duplicate["id"]).first()
    assert back["state"] == "submitted" and back["merged_into"] is None


async def test_routing_sets_a_working_day_due_date_and_agencies_can_return(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    question = await question_titled(LIGHTS)
    await screening.decide(organiser, question["id"], "accept", {}, now(), BASE)
    kt = await Agency.select().where(Agency.short_name == "KT-HT-ĐT").first()
    ca = await Agency.select().where(Agency.short_name == "CA").first()
    friday = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội
    await routing.assign(organiser, question["id"], {"lead_agency": str(kt["id"])}, friday, BASE,
                           lists={"contributing": [str(ca["id"])]})
    routed = await Question.select().where(Question.id == question["id"]).first()
    assert routed["state"] == "assigned" and routed["answer_due_on"] == dt.date(2026, 12, 11)  # 10 working days
    assignments = await Assignment.select().where(Assignment.question == question["id"])
    assert {(a["agency"], a["role"]) for a in assignments} == {(kt["id"], "lead"), (ca["id"], "contributing")}

    police = await actor("police@dongda.demo")
    with pytest.raises(Conflict):  # a contributor cannot return it
        await routing.return_to_organisers(police, question["id"], "Không phải việc của công an", now(), BASE)
    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    with pytest.raises(InvalidInput):
        await routing.return_to_organisers(officer, question["id"], "", now(), BASE)
    await routing.return_to_organisers(officer, question["id"], "Chiếu sáng ngõ do Công ty chiếu sáng quản lý.",
                                       now(), BASE)
    returned = await Question.select().where(Question.id == question["id"]).first()
    assert returned["state"] == "accepted" and returned["returned_by_agency"] is True
    assert not await Assignment.exists().where((Assignment.question == question["id"]) & (Assignment.active == True))
    await routing.assign(organiser, question["id"], {"lead_agency": str(kt["id"])}, now(), BASE)
    assert (await Question.select().where(Question.id == question["id"]).first())["returned_by_agency"] is False


async def test_agencies_see_only_their_own_items(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    flood, noise = await question_titled(FLOOD), await question_titled("Tiếng ồn karaoke khuya tại phố Đặng Tiến Đông")
    result = await routing.accept_and_route(organiser, [flood["id"], noise["id"]], now(), BASE)
    assert len(result.done) == 2
    assert result.refused == []
    officer, police, head = (await actor(DEMO_ACCOUNTS["agency_officer"]), await actor("police@dongda.demo"),
                             await actor(DEMO_ACCOUNTS["agency_head"]))
    assert [i["id"] for i in await answer_queries.agency_inbox(officer, now())] == [flood["id"]]
    assert [i["id"] for i in await answer_queries.agency_inbox(police, now())] == [noise["id"]]
    assert [i["id"] for i in await answer_queries.agency_inbox(head, now())] == [flood["id"]]
    with pytest.raises(Forbidden):
        await routing.agency_question(police, flood["id"])
    with pytest.raises(Forbidden):
        await routing.agency_question(officer, noise["id"])
    with pytest.raises(Forbidden):
        await routing.return_to_organisers(police, flood["id"], "Không phải", now(), BASE)
    with pytest.raises(Forbidden):
        await screening.decide(officer, flood["id"], "accept", {}, now(), BASE)


async def test_the_queue_filters_searches_and_counts(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    conference = (await Conference.select(Conference.id).first())["id"]
    everything = await queries.queue(organiser, conference, {}, now())
    assert everything["total"] == 42 and everything["counts"] == {"submitted": 42}
    assert everything["rows"][0]["title"] == FLOOD  # oldest first
    found = await queries.queue(organiser, conference, {"q": "hoang cau ngap"}, now())
    assert {r["title"] for r in found["rows"]} >= {FLOOD, FLOOD_NO_ACCENTS, FLOOD_REORDERED}
    businesses = await queries.queue(organiser, conference, {"asker_kind": "business"}, now())
    assert businesses["total"] == 6
    later = now() + dt.timedelta(days=30)
    overdue = await queries.queue(organiser, conference, {"overdue": "yes"}, later)
    assert overdue["total"] == 42 and overdue["rows"][0]["due"]["overdue"]
    assert (await queries.queue(organiser, conference, {"overdue": "yes"}, now()))["total"] == 0
    kt = await Agency.select(Agency.id).where(Agency.short_name == "KT-HT-ĐT").first()
    await routing.accept_and_route(organiser, [r["id"] for r in found["rows"]], now(), BASE)
    by_agency = await queries.queue(organiser, conference, {"agency": str(kt["id"])}, now())
    assert by_agency["total"] == found["total"]


async def test_the_organiser_screens_through_the_web(demo, demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    conference = (await Conference.select(Conference.id).first())["id"]
    queue = await demo_client.get(f"/organiser/conferences/{conference}/queue", params={"q": "thai ha"})
    assert queue.status_code == 200 and LIGHTS in queue.text
    question = await question_titled(LIGHTS)
    page = await demo_client.get(f"/organiser/questions/{question['id']}")
    assert page.status_code == 200 and "Ngõ 35 Thái Hà không có đèn, tối om" in page.text  # a similar question
    bad = await post_form(demo_client, f"/organiser/questions/{question['id']}/reject", {"category": "abusive"},
                          page=f"/organiser/questions/{question['id']}")
    assert bad.status_code == 400 and 'href="#reject-reason"' in bad.text and 'id="reject-reason"' in bad.text
    done = await post_form(demo_client, f"/organiser/questions/{question['id']}/accept", {},
                           page=f"/organiser/questions/{question['id']}", follow_redirects=False)
    assert done.status_code == 303
    kt = await Agency.select(Agency.id).where(Agency.short_name == "KT-HT-ĐT").first()
    routed = await post_form(demo_client, f"/organiser/questions/{question['id']}/assign",
                             {"lead_agency": str(kt["id"])}, page=f"/organiser/questions/{question['id']}",
                             follow_redirects=False)
    assert routed.status_code == 303
    await post_form(demo_client, f"/organiser/questions/{question['id']}/public-text", {
        "public_summary": "Đèn chiếu sáng một ngõ trên phố Thái Hà hỏng lâu ngày",
        "public_text": "Đèn chiếu sáng ngõ trên phố Thái Hà hỏng đã ba tháng.",
    }, page=f"/organiser/questions/{question['id']}")
    public = await demo_client.get(f"/q/{intake.display_code(question['tracking_code'])}")
    assert "Đèn chiếu sáng một ngõ trên phố Thái Hà hỏng lâu ngày" in public.text
    assert (await Question.select(Question.body).where(Question.id == question["id"]).first())["body"] \
        == question["body"]


async def test_agency_pages_are_isolated_by_route_and_id(demo, demo_client):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    flood = await question_titled(FLOOD)
    await routing.accept_and_route(organiser, [flood["id"]], now(), BASE)
    await sign_in(demo_client, "police@dongda.demo")
    inbox = await demo_client.get("/agency")
    assert FLOOD not in inbox.text
    assert (await demo_client.get(f"/agency/questions/{flood['id']}")).status_code == 403
    assert (await post_form(demo_client, f"/agency/questions/{flood['id']}/return", {"reason": "x"},
                            page="/agency")).status_code == 403
    for path in (f"/organiser/questions/{flood['id']}", "/organiser/conferences/1/queue"):
        assert (await demo_client.get(path)).status_code == 403
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
    assert FLOOD in (await demo_client.get("/agency")).text
    own = await demo_client.get(f"/agency/questions/{flood['id']}")
    assert own.status_code == 200 and flood["asker_name"] not in own.text  # agencies do not need the asker's identity


async def test_an_organiser_of_another_ward_cannot_screen_here(demo, demo_client):
    from dialogue.reference.tables import AdminUnit

    other = await AdminUnit.select(AdminUnit.id).where(AdminUnit.code == "00004").first()
    await StaffUser.insert(StaffUser(email="organiser@badinh.demo", full_name="Phạm Văn Tú", role="organiser",
                                     unit=other["id"], password_hash=hash_password("mật khẩu ba đình")))
    flood = await question_titled(FLOOD)
    outsider = await actor("organiser@badinh.demo")
    with pytest.raises(Forbidden):
        await screening.decide(outsider, flood["id"], "accept", {}, now(), BASE)
    await sign_in(demo_client, "organiser@badinh.demo", "mật khẩu ba đình")
    assert (await demo_client.get(f"/organiser/questions/{flood['id']}")).status_code == 403
    assert (await demo_client.get("/organiser/conferences/1/queue")).status_code == 403


async def test_reminders_go_once_per_item_and_threshold_and_one_email_per_person(demo):
    from dialogue.questions import reminders

    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    flood, lights = await question_titled(FLOOD), await question_titled(LIGHTS)
    monday = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
    await routing.accept_and_route(organiser, [flood["id"], lights["id"]], monday, BASE)  # due Mon 14 Dec

    assert await reminders.tick(monday, BASE) == {"due_soon": 0, "overdue": 0}
    thursday = dt.datetime(2026, 12, 10, 2, 0, tzinfo=dt.UTC)  # two working days left
    assert await reminders.tick(thursday, BASE) == {"due_soon": 1, "overdue": 0}  # one e-mail for both items
    mail = await OutboxMessage.select().where(OutboxMessage.kind == "reminder_due_soon").first()
    assert mail["to_address"] == "head@dongda.demo" and FLOOD in mail["text_body"] and LIGHTS in mail["text_body"]
    assert await reminders.tick(thursday + dt.timedelta(hours=1), BASE) == {"due_soon": 0, "overdue": 0}

    tuesday = dt.datetime(2026, 12, 15, 2, 0, tzinfo=dt.UTC)
    assert await reminders.tick(tuesday, BASE) == {"due_soon": 0, "overdue": 1}
    overdue = await OutboxMessage.select().where(OutboxMessage.kind == "reminder_overdue").first()
    assert overdue["to_address"] == "organiser@dongda.demo"
    assert await reminders.tick(tuesday + dt.timedelta(days=1), BASE) == {"due_soon": 0, "overdue": 0}


@pytest.mark.parametrize("method, path", [
    ("GET", "/agency/questions/{id}"),
    ("POST", "/agency/questions/{id}/return"),
    ("POST", "/agency/questions/{id}/answer/save"),
    ("POST", "/agency/questions/{id}/answer/submit"),
    ("POST", "/agency/questions/{id}/answer/approve"),
    ("POST", "/agency/questions/{id}/answer/return"),
    ("POST", "/agency/questions/{id}/answer/part"),
])
async def test_no_agency_route_opens_another_agencys_item(demo, demo_client, method, path):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    flood = await question_titled(FLOOD)
    await routing.accept_and_route(organiser, [flood["id"]], now(), BASE)  # to the economy office
    await sign_in(demo_client, "police@dongda.demo")  # an officer of another agency
    url = path.format(id=flood["id"])
    if method == "GET":
        response = await demo_client.get(url)
    else:
        response = await post_form(demo_client, url, {"body": "x" * 20, "reason": "x", "comment": "x",
                                                      "part": "x", "version": ""}, page="/agency")
    assert response.status_code == 403, (url, response.status_code)
    assert not await Question.exists().where((Question.id == flood["id"]) & (Question.state != "assigned"))
