"""Satisfaction ratings: the asker (proved by the private manage link) rates the answer once it is out
and each commitment once verified, once each, even from two tabs at once; bad values come back with
messages and the choices kept; figures per agency and conference are averaged only from the minimum
count; the tracking pages tell the whole story; the demo has figures shown and hidden."""

import asyncio
import re

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.answers.tables import Answer
from dialogue.commitments import followup
from dialogue.commitments.tables import Commitment
from dialogue.conferences.tables import Conference
from dialogue.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from dialogue.core.vocabulary import N_, declare_action
from dialogue.demo.concluded import load_concluded_demo
from dialogue.machine import log
from dialogue.machine.actors import Actor
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.questions import tracking
from dialogue.questions.intake import display_code, signed_manage_token
from dialogue.questions.tables import Follower, Question
from dialogue.ratings import commands, queries
from dialogue.ratings.tables import Rating
from dialogue.reference.tables import Agency
from tests.conftest import DEMO_ACCOUNTS, csrf_token_from
from tests.pinned import NOW, TODAY

BASE = "https://testserver.local"
GOOD = {"information": "4", "procedure": "na", "attitude": "5", "result": "3", "feedback": "", "overall": "4",
        "comment": "Cán bộ nhiệt tình."}


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


@pytest.fixture
async def concluded(demo_db):
    """The demo's concluded conference, its answers given on the spot and its commitments still open."""
    unit = (await Conference.select(Conference.unit).first())["unit"]
    await load_concluded_demo(unit, TODAY, with_follow_up=False)
    conference = await Conference.select().where(Conference.state == "concluded").first()
    questions = await Question.select().where(Question.conference == conference["id"]).order_by(Question.id)
    agencies = {a["short_name"]: a["id"] for a in await Agency.select(Agency.id, Agency.short_name)}

    def question(words: str) -> dict:
        return next(q for q in questions if words in q["title"])

    return {"conference": conference, "question": question, "agencies": agencies,
            "organiser": await actor(DEMO_ACCOUNTS["organiser"]),
            "officer": await actor(DEMO_ACCOUNTS["agency_officer"])}


def link(question: dict) -> tuple[str, str]:
    """The question's tracking code and its private link's token (the demo's: the code and "-demo")."""
    return display_code(question["tracking_code"]), question["tracking_code"] + "-demo"


async def verified_commitment(concluded, words: str) -> dict:
    question = concluded["question"](words)
    c = await Commitment.select().where(Commitment.question == question["id"]).first()
    await followup.report_done(concluded["officer"], c["id"], {"summary": "Đã xong."}, NOW, BASE)
    await followup.verify(concluded["organiser"], c["id"], {"outcome": "kept"}, NOW, BASE)
    return c


async def test_the_answer_is_rated_once_and_the_log_keeps_no_score(concluded):
    question = concluded["question"]("Thu gom rác")  # answered on the spot by the ward office
    code, token = link(question)
    rating = await commands.rate(code, token, "answer", GOOD, NOW)
    assert (rating["subject"], rating["agency"], rating["conference"], rating["commitment"]) == (
        "answer", concluded["agencies"]["VP"], concluded["conference"]["id"], None)
    assert [rating[d] for d in (*commands.DIMENSIONS, "overall")] == [4, None, 5, 3, None, 4]
    assert rating["comment"] == "Cán bộ nhiệt tình."
    with pytest.raises(Conflict):
        await commands.rate(code, token, "answer", {**GOOD, "overall": "1"}, NOW)
    assert await Rating.count() == 1
    entry = await ActionLog.select().where(ActionLog.action == commands.RATED).output(load_json=True).first()
    # logged on the conference, with nothing that leads back to the question or its asker
    assert (entry["object_type"], entry["object_id"]) == ("conference", str(concluded["conference"]["id"]))
    assert entry["actor_kind"] == "public" and entry["actor_ref"] == ""
    assert entry["details"] == {"subject": "answer", "agency": concluded["agencies"]["VP"]}
    assert entry["reason"] == "" and "Cán bộ" not in str(entry)
    assert await ActionLog.count().where((ActionLog.object_type == "question")
                                         & (ActionLog.object_id == str(question["id"]))
                                         & (ActionLog.action == commands.RATED)) == 0


async def test_two_tabs_sending_at_once_make_one_rating(concluded):
    code, token = link(concluded["question"]("Hố ga"))
    results = await asyncio.gather(commands.rate(code, token, "answer", GOOD, NOW),
                                   commands.rate(code, token, "answer", {**GOOD, "overall": "2"}, NOW),
                                   return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "dict"]
    assert await Rating.count() == 1


async def test_a_commitment_is_rated_once_it_is_verified_and_once_only(concluded):
    question = concluded["question"]("Đèn chiếu sáng")
    code, token = link(question)
    c = await Commitment.select().where(Commitment.question == question["id"]).first()
    with pytest.raises(NotFound):  # still open: nothing to rate yet
        await commands.rate(code, token, f"commitment-{c['id']}", GOOD, NOW)
    with pytest.raises(NotFound):  # the question was not answered: its commitment was its outcome
        await commands.rate(code, token, "answer", GOOD, NOW)
    await followup.report_done(concluded["officer"], c["id"], {"summary": "Đã thay đèn."}, NOW, BASE)
    with pytest.raises(NotFound):  # reported done is not verified
        await commands.rate(code, token, f"commitment-{c['id']}", GOOD, NOW)
    await followup.verify(concluded["organiser"], c["id"], {"outcome": "kept"}, NOW, BASE)
    both = await asyncio.gather(*[commands.rate(code, token, f"commitment-{c['id']}", GOOD, NOW) for _ in range(2)],
                                return_exceptions=True)
    assert sorted(type(r).__name__ for r in both) == ["Conflict", "dict"]
    row = await Rating.select().first()
    assert (row["subject"], row["commitment"], row["agency"]) == ("commitment", c["id"],
                                                                  concluded["agencies"]["KT-HT-ĐT"])
    # disputed afterwards: the rating stays, and is shown to the asker as given
    await followup.dispute(concluded["organiser"], c["id"], {"reason": "Một cột vẫn chưa sáng."}, NOW, BASE)
    subjects = await commands.subjects_of(question)
    assert [(s.name, s.rating is not None) for s in subjects] == [(f"commitment-{c['id']}", True)]


async def test_a_cancelled_commitment_is_not_rated(concluded):
    question = concluded["question"]("Công trình xây dựng")
    c = await Commitment.select().where(Commitment.question == question["id"]).first()
    await followup.cancel(concluded["organiser"], c["id"], {"reason": "Đã chuyển cơ quan khác."}, NOW, BASE)
    code, token = link(question)
    with pytest.raises(NotFound):
        await commands.rate(code, token, f"commitment-{c['id']}", GOOD, NOW)


async def test_a_written_answer_is_rated_only_once_published(concluded):
    question = concluded["question"]("vỉa hè để kinh doanh")  # to be answered in writing
    code, token = link(question)
    kt = concluded["agencies"]["KT-HT-ĐT"]
    await Answer.insert(Answer(question=question["id"], agency=kt, body="Phường không cho thuê vỉa hè.",
                               state="approved"))
    with pytest.raises(NotFound):
        await commands.rate(code, token, "answer", GOOD, NOW)
    await Answer.update({Answer.state: "published", Answer.published_at: NOW}).where(
        Answer.question == question["id"])
    assert (await commands.rate(code, token, "answer", GOOD, NOW))["agency"] == kt


async def test_only_the_private_link_proves_the_asker(concluded, demo_client):
    question = concluded["question"]("Thu gom rác")
    code, token = link(question)
    for wrong in ("", "x" * 300, question["tracking_code"], token + "x"):
        with pytest.raises(NotFound):
            await commands.rate(code, wrong, "answer", GOOD, NOW)
    page = (await demo_client.get(f"/q/{code}/manage/{token}")).text
    csrf = csrf_token_from(page)
    for path in (f"/q/{code}/manage/wrong-token/rate/answer", f"/q/{code}/rate/answer"):
        response = await demo_client.post(path, data={"_csrf_token": csrf, **GOOD})
        assert response.status_code in (404, 405)
    assert await Rating.count() == 0
    # the public tracking page says how to rate, and offers no form
    track = (await demo_client.get(f"/q/{code}")).text
    assert 'id="rate"' in track and "/rate/" not in track and 'name="overall"' not in track


def test_bad_values_are_named_field_by_field():
    with pytest.raises(InvalidInput) as error:
        commands.check_form({"information": "7", "procedure": "abc", "attitude": "0", "overall": "",
                             "comment": "x" * 1001})
    assert set(error.value.errors) == {"information", "procedure", "attitude", "overall", "comment"}
    with pytest.raises(InvalidInput) as error:
        commands.check_form({"overall": "five"})
    assert set(error.value.errors) == {"overall"}
    with pytest.raises(InvalidInput):
        commands.check_form({"overall": "na"})  # overall is never "not applicable"
    assert commands.check_form({"overall": " 5 "}) == {**dict.fromkeys(commands.DIMENSIONS), "overall": 5,
                                                       "comment": ""}


async def test_the_form_on_the_askers_page_keeps_the_choices_and_thanks(concluded, demo_client):
    question = concluded["question"]("Thu gom rác")
    code, token = link(question)
    manage = f"/q/{code}/manage/{token}"
    page = (await demo_client.get(manage)).text
    assert "1 – rất không hài lòng" in page and "5 – rất hài lòng" in page and "<legend" in page
    assert "Đánh giá câu trả lời và các cam kết" in page
    assert page.index("được thu hai lần") < page.index('id="rate"')  # the answer given at the session, then the form
    csrf = csrf_token_from(page)
    bad = await demo_client.post(f"{manage}/rate/answer", data={
        "_csrf_token": csrf, "information": "4", "attitude": "9", "overall": "abc", "comment": "Giữ lại nhé."})
    assert bad.status_code == 400
    assert 'id="answer-overall-error"' in bad.text and "Chọn mức điểm từ 1 đến 5." in bad.text
    assert "Chọn mức điểm từ 1 đến 5, hoặc “không áp dụng”." in bad.text
    assert 'id="answer-information-4" name="information" value="4" checked' in bad.text  # kept
    assert "Giữ lại nhé." in bad.text and 'href="#answer-overall-1"' in bad.text
    assert await Rating.count() == 0
    good = await demo_client.post(f"{manage}/rate/answer", data={"_csrf_token": csrf, **GOOD},
                                  follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"].endswith("?rated=answer#rate-answer")
    thanks = (await demo_client.get(good.headers["location"].split("#")[0])).text
    assert "Cảm ơn bạn đã đánh giá." in thanks and "4 – hài lòng" in thanks and "Cán bộ nhiệt tình." in thanks
    assert 'name="overall"' not in thanks  # rated: no form any more
    again = await demo_client.post(f"{manage}/rate/answer", data={"_csrf_token": csrf, **GOOD})
    assert again.status_code == 409 and "Bạn đã đánh giá nội dung này." in again.text
    assert await Rating.count() == 1
    # in English
    await demo_client.get("/language/en", params={"next": "/"})
    english = (await demo_client.get(manage)).text
    assert "You rated this on" in english and "4 – satisfied" in english
    assert (await demo_client.get(f"/q/{code}")).status_code == 200


async def test_the_story_in_order_with_the_rating_form_last(concluded, demo_client):
    question = concluded["question"]("Đèn chiếu sáng")
    c = await Commitment.select().where(Commitment.question == question["id"]).first()
    officer, organiser = concluded["officer"], concluded["organiser"]
    await followup.extend(organiser, c["id"], {"due_on": "31/03/2027", "reason": "Chờ cột đèn mới."}, NOW, BASE)
    await followup.post_progress(officer, c["id"], {"note": "Đã thay hai cột đèn.", "percent": "50"}, NOW, BASE)
    await followup.attach_evidence(officer, c["id"], "den.pdf", b"%PDF-1.4 den", NOW, BASE)
    await followup.report_done(officer, c["id"], {"summary": "Đã thay đủ bốn cột."}, NOW, BASE)
    await followup.verify(organiser, c["id"], {"outcome": "kept"}, NOW, BASE)
    # a public step recorded on the commitment by another part of the system (a re-inspection, say)
    # is listed generically from the log
    declare_action("test_reinspected", N_("re-inspected the work"), N_("Re-inspected: the work is found done"))
    await log.record(Actor.system("test"), "test_reinspected", "commitment", c["id"], at=NOW,
                     reason="Đoàn kiểm tra xác nhận 4 cột đèn sáng.")
    code, token = link(question)
    for path in (f"/q/{code}", f"/q/{code}/manage/{token}"):
        page = (await demo_client.get(path)).text
        positions = [page.index(text) for text in (
            "Tại hội nghị", 'id="commitments"', "Thay thế bốn cột đèn hỏng", "Đã hoàn thành và được xác nhận",
            "31/03/2027", c["due_on"].strftime("%d/%m/%Y"), "den.pdf", "Chờ cột đèn mới.", "Đã thay hai cột đèn.",
            "Re-inspected: the work is found done", "Đoàn kiểm tra xác nhận 4 cột đèn sáng.", 'id="rate"')]
        assert positions == sorted(positions), path
    manage = (await demo_client.get(f"/q/{code}/manage/{token}")).text
    assert f'/rate/commitment-{c["id"]}' in manage


async def test_the_asker_is_invited_to_rate_but_not_the_followers(concluded):
    question = concluded["question"]("Đèn chiếu sáng")
    await Follower.insert(Follower(question=question["id"], email="theo.doi@example.vn", token="tok-follow",
                                   language="vi", created_at=NOW, confirmed_at=NOW))
    await verified_commitment(concluded, "Đèn chiếu sáng")
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "commitment_update").order_by(OutboxMessage.id)
    verified = {m["to_address"]: m for m in mails[-2:]}
    asker = verified[question["asker_email"]]
    assert "đánh giá một lần" in asker["text_body"] and "#rate" in asker["text_body"] and "#rate" in asker["html_body"]
    assert "#rate" not in verified["theo.doi@example.vn"]["text_body"]
    assert "/manage/" not in verified["theo.doi@example.vn"]["text_body"]  # a follower never gets the asker's page
    assert all("#rate" not in m["text_body"] for m in mails[:-2])  # only the verification invites
    # the invitation's link is the asker's private page, which the rating form is on
    link = re.search(r"/q/([A-Z0-9-]+)/manage/(\S+)#rate", asker["text_body"])
    assert (await tracking.get_for_asker(link.group(1), link.group(2)))["id"] == question["id"]


async def test_the_signed_private_link_opens_only_its_own_question(concluded):
    lights, rubbish = concluded["question"]("Đèn chiếu sáng"), concluded["question"]("Thu gom rác")
    token = signed_manage_token(lights["tracking_code"])
    assert (await tracking.get_for_asker(lights["tracking_code"], token))["id"] == lights["id"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for code, bad in ((rubbish["tracking_code"], token), (lights["tracking_code"], tampered),
                      (lights["tracking_code"], "s-"), (lights["tracking_code"], "s-" + "x" * 300)):
        with pytest.raises(NotFound):
            await tracking.get_for_asker(code, bad)


async def test_an_answer_given_at_the_session_invites_its_asker(concluded):
    question = concluded["question"]("Thu gom rác")
    told = await OutboxMessage.select().where((OutboxMessage.kind == "conference_outcome")
                                              & (OutboxMessage.to_address == question["asker_email"])).first()
    assert "đánh giá một lần" in told["text_body"] and "#rate" in told["html_body"]
    lights = concluded["question"]("Đèn chiếu sáng")  # a commitment, not an answer: rated once verified
    told = await OutboxMessage.select().where((OutboxMessage.kind == "conference_outcome")
                                              & (OutboxMessage.to_address == lights["asker_email"])).first()
    assert "#rate" not in told["text_body"]


async def test_the_answer_published_mail_invites_the_asker(demo_db):
    from dialogue.core.i18n import language
    from dialogue.core.rendering import service_environment

    environment = service_environment()
    context = {"code": "ABCD-EFGH-JKMNP", "question": {"title": "Ngập"}, "conference": {"title": "Hội nghị"},
               "answer": {"agency_name": "Phòng", "body": "Trả lời.", "legal_basis": ""}, "parts": [],
               "tracking_url": "https://x/q/ABCD-EFGH-JKMNP"}
    private = "https://x/q/ABCD-EFGH-JKMNP/manage/s-abc"
    with language("en"):
        asker = environment.get_template("emails/answer_published.txt").render(**context, unsubscribe_url="",
                                                                                private_url=private)
        follower = environment.get_template("emails/answer_published.txt").render(**context, private_url="",
                                                                                   unsubscribe_url="https://x/u")
    assert "You can rate it once" in asker and f"{private}#rate" in asker
    assert "rate" not in follower


# --- Figures ----------------------------------------------------------------------------------------------------

async def seed(conference_id: int, agency_id: int, scores: list[tuple], question_id: int) -> None:
    for n, (information, overall) in enumerate(scores):
        await Rating.insert(Rating(subject_key=f"test:{agency_id}:{n}", question=question_id, subject="answer",
                                   agency=agency_id, conference=conference_id, information=information,
                                   overall=overall, attitude=4))


async def test_figures_are_hidden_below_the_minimum_and_averaged_from_it(concluded):
    conference, kt, vp = concluded["conference"]["id"], concluded["agencies"]["KT-HT-ĐT"], concluded["agencies"]["VP"]
    question = concluded["question"]("Hố ga")["id"]
    await seed(conference, kt, [(5, 5), (4, 4), (None, 3), (3, 4)], question)
    await seed(conference, vp, [(2, 2)], question)
    figures = await queries.satisfaction_by_agency([kt, vp, concluded["agencies"]["CA"]], minimum=5)
    assert figures[kt] == {"count": 4, "shown": False, "minimum": 5, "overall": None,
                           "dimensions": dict.fromkeys(commands.DIMENSIONS)}
    assert figures[concluded["agencies"]["CA"]]["count"] == 0
    await Rating.insert(Rating(subject_key="test:fifth", question=question, subject="answer", agency=kt,
                               conference=conference, information=2, overall=3, attitude=4))
    shown = (await queries.satisfaction_by_agency([kt], minimum=5))[kt]
    assert shown["shown"] and shown["count"] == 5 and shown["overall"] == 3.8  # (5+4+3+4+3)/5
    # information was "not applicable" once: only four scored it, fewer than the minimum
    assert shown["dimensions"]["information"] is None and shown["dimensions"]["attitude"] == 4.0
    assert (await queries.satisfaction_by_agency([kt], minimum=4))[kt]["dimensions"]["information"] == 3.5
    every = await queries.satisfaction_by_agency(minimum=5)
    assert set(every) == {kt, vp} and every[vp]["shown"] is False
    by_conference = (await queries.satisfaction_by_conference([conference], minimum=5))[conference]
    assert by_conference["count"] == 6 and by_conference["overall"] == round((5 + 4 + 3 + 4 + 3 + 2) / 6, 2)


async def test_the_minimum_is_a_setting():
    from dialogue.core.settings import SettingsError, load_settings

    assert load_settings({"SECRET_KEY": "x" * 40}).rating_min_count == 5
    assert load_settings({"SECRET_KEY": "x" * 40, "RATING_MIN_COUNT": "8"}).rating_min_count == 8
    with pytest.raises(SettingsError):
        load_settings({"SECRET_KEY": "x" * 40, "RATING_MIN_COUNT": "1"})


async def test_the_conference_page_shows_the_figures_only_from_the_minimum(concluded, demo_client):
    conference, kt = concluded["conference"]["id"], concluded["agencies"]["KT-HT-ĐT"]
    question = concluded["question"]("Hố ga")["id"]
    await seed(conference, kt, [(5, 5), (4, 4)], question)
    hidden = (await demo_client.get(f"/conferences/{conference}")).text
    section = hidden.split('id="satisfaction"')[1].split("</section>")[0]
    assert "Đến nay có 2 lượt đánh giá." in section and "từ 5 lượt đánh giá" in section and "/ 5" not in section
    await seed(conference, concluded["agencies"]["VP"], [(3, 3), (4, 4), (None, 2)], question)
    shown = (await demo_client.get(f"/conferences/{conference}")).text
    section = shown.split('id="satisfaction"')[1].split("</section>")[0]
    assert "Từ 5 lượt đánh giá" in section and "3,6 / 5" in section  # (5+4+3+4+2)/5, Vietnamese decimal comma
    assert "chưa đủ lượt đánh giá về tiêu chí này" in section  # information: scored four times only
    await demo_client.get("/language/en", params={"next": "/"})
    english = (await demo_client.get(f"/conferences/{conference}")).text
    assert "From 5 ratings" in english and "3.6 / 5" in english


async def test_the_demo_shows_one_agencys_figures_and_hides_anothers(db):
    from dialogue.demo import load_demo

    await load_demo(TODAY, lively=True)
    conference = await Conference.select().where(Conference.state == "concluded").first()
    agencies = {a["short_name"]: a["id"] for a in await Agency.select(Agency.id, Agency.short_name)}
    figures = await queries.satisfaction_by_agency([agencies["KT-HT-ĐT"], agencies["VP"]], minimum=5)
    assert figures[agencies["KT-HT-ĐT"]]["count"] >= 5 and figures[agencies["KT-HT-ĐT"]]["shown"]
    assert figures[agencies["KT-HT-ĐT"]]["overall"] is not None
    assert 0 < figures[agencies["VP"]]["count"] < 5 and figures[agencies["VP"]]["overall"] is None
    assert await Rating.count().where(Rating.conference == conference["id"]) == await Rating.count()
    await load_demo(TODAY, lively=True)
    assert await Rating.count() == 6  # loaded once


async def test_the_organisers_read_the_comments_without_who_wrote_them(concluded, demo_client):
    from tests.conftest import sign_in

    question = concluded["question"]("Thu gom rác")
    code, token = link(question)
    await commands.rate(code, token, "answer", GOOD, NOW)
    conference = concluded["conference"]
    elsewhere = Actor(kind="staff", staff_id=1, role="organiser", unit_id=conference["unit"] + 1000)
    with pytest.raises(Forbidden):
        await queries.staff_view(elsewhere, conference, 5)
    with pytest.raises(Forbidden):
        await queries.staff_view(concluded["officer"], conference, 5)
    view = await queries.staff_view(concluded["organiser"], conference, 5)
    assert [c["comment"] for c in view["comments"]] == ["Cán bộ nhiệt tình."]
    assert view["figures"]["count"] == 1 and view["figures"]["overall"] is None
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    page = await demo_client.get(f"/organiser/conferences/{conference['id']}/ratings/")
    assert page.status_code == 200 and "Cán bộ nhiệt tình." in page.text
    assert code not in page.text and question["asker_name"] not in page.text
    comment = page.text.split("Cán bộ nhiệt tình.")[1].split("</li>")[0]
    assert "tháng 12/2026" in comment and "07/12/2026" not in comment  # the month, never the day
    # the question's own history does not say when its asker rated
    history = (await demo_client.get(f"/organiser/questions/{question['id']}")).text
    assert "đánh giá" not in history
    # the public conference page never shows a comment
    public = (await demo_client.get(f"/conferences/{conference['id']}")).text
    assert "Cán bộ nhiệt tình." not in public and "Đến nay có 1 lượt đánh giá." in public
    assert (await demo_client.get("/organiser/conferences/abc/ratings/")).status_code in (400, 404)


async def test_hostile_input_is_refused_politely(concluded, demo_client):
    code, token = link(concluded["question"]("Thu gom rác"))
    manage = f"/q/{code}/manage/{token}"
    csrf = csrf_token_from((await demo_client.get(manage)).text)
    for subject in ("commitment-abc", "commitment-99999999999999999999", "x" * 500, "answer%00"):
        response = await demo_client.post(f"{manage}/rate/{subject}", data={"_csrf_token": csrf, **GOOD})
        assert response.status_code == 404, subject
    assert (await demo_client.get(f"{manage}/rate/answer")).status_code == 405
    long = await demo_client.post(f"{manage}/rate/answer", data={
        "_csrf_token": csrf, **GOOD, "comment": "Rất dài. " * 200, "overall": "5" * 10_000})
    assert long.status_code == 400 and 'id="answer-comment-error"' in long.text and "Rất dài." in long.text
    missing = await demo_client.post(f"{manage}/rate/answer", data={"_csrf_token": csrf})
    assert missing.status_code == 400 and 'id="answer-overall-error"' in missing.text
    assert await Rating.count() == 0
