"""The organiser's screening tools: the main question the merge form proposes, the queue's bulk
actions (accept and route, reject, merge) through the single actions' services, and the queue's
marks on likely duplicates."""

import datetime as dt
import re

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.conferences.tables import Conference
from dialogue.core.errors import InvalidInput
from dialogue.demo import load_demo
from dialogue.machine.actors import Actor
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.questions import intake, queries, routing, screening
from dialogue.questions.tables import Question
from tests.conftest import DEMO_ACCOUNTS, csrf_token_from, sign_in
from tests.pinned import NOW, TODAY

BASE = "https://doithoai.example.vn"
FLOOD = "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn"  # the first the demo received
FLOOD_REORDERED = "Ngõ 120 Hoàng Cầu bị ngập khi mưa to"  # the second
FLOOD_NO_ACCENTS = "ngap ung ngo 120 hoang cau"  # the third
DRAINS = "Cống thoát nước ngõ 120 Hoàng Cầu tắc, mưa là ngập"  # the fourth


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


def now() -> dt.datetime:
    return NOW


async def question_titled(title: str) -> dict:
    return await Question.select().where(Question.title == title).first()


async def code_of(title: str) -> str:
    return (await question_titled(title))["tracking_code"]


@pytest.fixture
async def demo(demo_db):
    await load_demo(TODAY)
    return demo_db


async def proposed_main(client, title: str) -> str:
    """The tracking code the merge form of this question's page proposes."""
    page = await client.get(f"/organiser/questions/{(await question_titled(title))['id']}")
    assert page.status_code == 200 and page.text.count('id="main"') == 1  # <main>'s: the field has its own
    found = re.search(r'<input[^>]*id="main_question"[^>]*>', page.text)
    value = re.search(r'value="([^"]*)"', found.group(0)) if found else None
    return intake.normalise_code(value.group(1)) if value else ""


async def test_the_merge_form_proposes_the_earliest_similar_question_that_can_take_others(demo, demo_client):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    # The most similar to the fourth is the third; the main question is the first.
    assert await proposed_main(demo_client, DRAINS) == await code_of(FLOOD)
    assert await proposed_main(demo_client, "Chiếm dụng vỉa hè phố Tây Sơn") \
        == await code_of("Vỉa hè phố Tây Sơn bị chiếm dụng để xe và bán hàng")
    # Once the third is merged into the first, the first's page never proposes it back.
    await screening.merge(organiser, (await question_titled(FLOOD_NO_ACCENTS))["id"],
                          intake.display_code(await code_of(FLOOD)), "", now(), BASE)
    assert await proposed_main(demo_client, FLOOD) == await code_of(FLOOD_REORDERED)
    # A rejected question cannot take others: the next earliest is proposed.
    await screening.decide(organiser, (await question_titled(FLOOD))["id"], "reject",
                           {"category": "not_question", "reason": "Nhầm hội nghị."}, now(), BASE)
    assert await proposed_main(demo_client, DRAINS) == await code_of(FLOOD_REORDERED)


LIGHTS = "Đèn chiếu sáng ngõ 35 Thái Hà hỏng đã ba tháng"
LIGHTS_AGAIN = "Ngõ 35 Thái Hà không có đèn, tối om"
KARAOKE = "Tiếng ồn karaoke khuya tại phố Đặng Tiến Đông"


async def conference_id() -> int:
    return (await Conference.select(Conference.id).first())["id"]


async def test_the_queue_marks_likely_duplicates_of_earlier_rows(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    rows = (await queries.queue(organiser, await conference_id(), {}, now()))["rows"]
    by_title = {row["title"]: row for row in rows}
    first = by_title[FLOOD]
    assert first["duplicate_of"] is None  # the earliest of its kind
    for title in (FLOOD_REORDERED, FLOOD_NO_ACCENTS, DRAINS):  # a group points at its earliest question
        assert by_title[title]["duplicate_of"]["id"] == first["id"]
    assert by_title[FLOOD_NO_ACCENTS]["duplicate_of"]["code"] == intake.display_code(first["tracking_code"])
    assert by_title["Xay dung khong phep so 12 ngo Thai Thinh"]["duplicate_of"]["id"] \
        == by_title["Công trình xây dựng không phép tại số 12 ngõ Thái Thịnh"]["id"]
    assert by_title[KARAOKE]["duplicate_of"] is None
    marked = [row for row in rows if row["duplicate_of"]]
    assert 9 <= len(marked) <= 14  # the demo's near-duplicates, and nothing else
    # Once the first is rejected, the others are marked against one that can still take them.
    await screening.decide(organiser, first["id"], "reject", {"category": "abusive", "reason": "x"}, now(), BASE)
    rows = (await queries.queue(organiser, await conference_id(), {}, now()))["rows"]
    by_title = {row["title"]: row for row in rows}
    assert by_title[FLOOD_NO_ACCENTS]["duplicate_of"]["id"] == by_title[FLOOD_REORDERED]["id"]
    assert by_title[FLOOD]["duplicate_of"] is None


async def test_bulk_reject_needs_one_category_and_reason_and_reports_each_refusal(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    conference = await conference_id()
    flood, again, karaoke = [await question_titled(t) for t in (FLOOD, FLOOD_REORDERED, KARAOKE)]
    with pytest.raises(InvalidInput) as error:
        await screening.reject_many(organiser, conference, [flood["id"]], {"category": "", "reason": " "}, now(), BASE)
    assert set(error.value.errors) == {"category", "reason"}
    with pytest.raises(InvalidInput) as error:
        await screening.reject_many(organiser, conference, [], {"category": "abusive", "reason": "x"}, now(), BASE)
    assert set(error.value.errors) == {"questions"}
    await routing.accept_and_route(organiser, [karaoke["id"]], now(), BASE)  # routed: no longer rejectable
    result = await screening.reject_many(organiser, conference, [flood["id"], karaoke["id"], again["id"], 999999], {
        "category": "not_question", "reason": "Nội dung không thuộc phạm vi hội nghị."}, now(), BASE)
    assert result.done == [flood["id"], again["id"]]
    assert [question_id for question_id, _why in result.refused] == [karaoke["id"], 999999]
    assert all(why for _id, why in result.refused)
    for question in (flood, again):  # each as if rejected on its own: state, log entry, the asker told
        after = await Question.select().where(Question.id == question["id"]).first()
        assert (after["state"], after["decision_category"]) == ("rejected", "not_question")
        entry = await ActionLog.select().where((ActionLog.action == "reject")
                                               & (ActionLog.object_id == str(question["id"]))).first()
        assert entry["from_state"] == "submitted" and entry["reason"] == "Nội dung không thuộc phạm vi hội nghị."
        mails = await OutboxMessage.select().where(OutboxMessage.to_address == question["asker_email"])
        assert len(mails) == 1 and "Nội dung không thuộc phạm vi hội nghị." in mails[0]["text_body"]
    assert (await Question.select(Question.state).where(Question.id == karaoke["id"]).first())["state"] == "assigned"


async def test_bulk_merge_joins_the_chosen_with_one_main_question(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    conference = await conference_id()
    flood, again, no_accents, drains, lights = [await question_titled(t) for t in (
        FLOOD, FLOOD_REORDERED, FLOOD_NO_ACCENTS, DRAINS, LIGHTS)]
    with pytest.raises(InvalidInput) as error:
        await screening.merge_many(organiser, conference, [again["id"]], "KHONG-CO-MA", "", now(), BASE)
    assert set(error.value.errors) == {"main_question"}
    with pytest.raises(InvalidInput) as error:  # only the main one chosen
        await screening.merge_many(organiser, conference, [flood["id"]], flood["tracking_code"], "", now(), BASE)
    assert set(error.value.errors) == {"questions"}
    await screening.decide(organiser, drains["id"], "reject", {"category": "abusive", "reason": "x"}, now(), BASE)
    main, result = await screening.merge_many(
        organiser, conference, [flood["id"], again["id"], no_accents["id"], drains["id"]],
        intake.display_code(flood["tracking_code"]), "", now(), BASE)
    assert main["id"] == flood["id"]
    assert result.done == [again["id"], no_accents["id"]] and [r[0] for r in result.refused] == [drains["id"]]
    merged = await Question.select(Question.id, Question.state, Question.merged_into).where(
        Question.id.is_in([again["id"], no_accents["id"]]))
    assert all((m["state"], m["merged_into"]) == ("merged", flood["id"]) for m in merged)
    assert await ActionLog.count().where(ActionLog.action == "merge") == 2
    with pytest.raises(InvalidInput):  # a merged question cannot take others
        await screening.merge_many(organiser, conference, [lights["id"]], again["tracking_code"], "", now(), BASE)


async def test_the_queue_page_offers_the_bulk_actions_above_the_list_and_keeps_what_was_typed(demo, demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    conference = await conference_id()
    url = f"/organiser/conferences/{conference}/queue"
    page = (await demo_client.get(url, params={"q": "thai ha"})).text
    table = page.index("<table")
    assert page.index("Không chấp nhận các câu hỏi đã chọn") < table
    assert page.index("Gộp các câu hỏi đã chọn vào một câu hỏi chính") < table
    assert page.rindex("Chấp nhận các câu hỏi đã chọn và chuyển") > page.index("</table>")  # and one below
    lights, again = await question_titled(LIGHTS), await question_titled(LIGHTS_AGAIN)
    built = await question_titled("Công trình xây dựng không phép tại số 12 ngõ Thái Thịnh")
    marked = (await demo_client.get(url, params={"q": "thai thinh"})).text
    assert f'Có thể trùng với <a href="#q-{built["id"]}"' in marked and f'<tr id="q-{built["id"]}">' in marked
    token = csrf_token_from(page)
    bad = await demo_client.post(f"{url}/reject?q=thai+ha", data={
        "_csrf_token": token, "question": [str(lights["id"]), str(again["id"])], "category": "complaint",
        "reason": ""})
    assert bad.status_code == 400 and 'href="#reason"' in bad.text
    assert f'value="{again["id"]}" id="pick-{again["id"]}" checked' in bad.text  # the choice is kept
    assert 'value="complaint" checked' in bad.text
    done = await demo_client.post(f"{url}/reject?q=thai+ha", data={
        "_csrf_token": token, "question": [str(lights["id"]), str(again["id"])], "category": "complaint",
        "reason": "Đây là khiếu nại, xin gửi Ban tiếp công dân."}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("/queue?q=thai+ha")
    report = (await demo_client.get(done.headers["location"])).text
    assert "Không chấp nhận 2 câu hỏi" in report
    again_page = (await demo_client.get(done.headers["location"])).text
    assert "Không chấp nhận 2 câu hỏi" not in again_page  # said once
    refused = await demo_client.post(f"{url}/merge", data={
        "_csrf_token": token, "question": [str(lights["id"])], "main_question": intake.display_code(
            (await question_titled(FLOOD))["tracking_code"])}, follow_redirects=True)
    assert refused.status_code == 200 and "Không thực hiện được với 1 câu hỏi" in refused.text
    assert intake.display_code(lights["tracking_code"]) in refused.text
    assert (await demo_client.post(f"{url}/unknown", data={"_csrf_token": token})).status_code == 404
