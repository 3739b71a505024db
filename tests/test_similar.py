"""Similar questions (issue 17): the index kept in step with every write, the engine's quality on the
development set, the variants it must find and the look-alikes it must keep apart, and the public
form's list — on SQLite and PostgreSQL alike."""

import datetime as dt
import uuid

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.conferences.tables import Conference
from dialogue.core.db import on_postgres
from dialogue.machine.actors import Actor
from dialogue.questions import intake, likeness, screening, similarity, tracking
from dialogue.questions.tables import Question, SimilarityEntry, SimilarityPhrase
from dialogue.reference.tables import Topic
from tests import similar_quality
from tests.conftest import DEMO_ACCOUNTS, csrf_token_from
from tests.pinned import NOW

BASE = "https://doithoai.example.vn"
POLICY = intake.SubmissionPolicy(per_address_per_hour=100, base_url=BASE)

FLOOD = ("Ngõ 12 phố Chùa Bộc ngập sâu mỗi khi mưa",
         "Kính gửi UBND phường Kim Liên. Tôi là cư dân ngõ 12 phố Chùa Bộc. Cứ mỗi trận mưa lớn là đầu ngõ ngập "
         "đến nửa bánh xe máy, nước rút rất chậm. Cống thoát nước đầu ngõ bị tắc. Đề nghị phường nạo vét cống.")


async def conference() -> dict:
    return await Conference.select().first()


async def submit(title: str, body: str, public: bool = True, manage: bool = False):
    """A question sent through the real submission, inside the conference's window."""
    c = await conference()
    topic = await Topic.select(Topic.id).where(Topic.code == "environment").first()
    form = {"form_token": uuid.uuid4().hex, "asker_kind": "resident", "asker_name": "Lê Thị Hoa",
            "asker_email": "hoa@example.vn", "unit": str(c["unit"]), "topic": str(topic["id"]), "title": title,
            "body": body, "answer_mode": "writing", "public_consent": "yes" if public else "", "data_consent": "yes"}
    submitted = await intake.submit_question(c["id"], form, uuid.uuid4().hex[:16], "vi",
                                             c["questions_open_at"] + dt.timedelta(days=1), POLICY)
    return submitted if manage else submitted.question


async def row(question_id: int) -> dict:
    return await Question.select().where(Question.id == question_id).first()


async def organiser() -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == DEMO_ACCOUNTS["organiser"]).first())


async def hints_for(question_id: int) -> list[int]:
    return [hint["id"] for hint in await similarity.similar(await row(question_id))]


async def indexed(phrase: str) -> set[int]:
    """The questions the phrase index finds for a phrase (not the re-ranker)."""
    rows = await SimilarityPhrase.select(SimilarityPhrase.question).where(
        SimilarityPhrase.phrase == similarity.phrase_key(phrase))
    return {r["question"] for r in rows}


# --- The index, kept in step -------------------------------------------------------------------------

async def test_the_migration_creates_the_index_and_fills_it(demo_db):
    if on_postgres():
        rows = await SimilarityEntry.raw(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('question_match', 'question_phrase')")
    else:
        rows = await SimilarityEntry.raw("SELECT name AS indexname, sql AS indexdef FROM sqlite_master"
                                         " WHERE tbl_name IN ('question_match', 'question_phrase')")
    definitions = {r["indexname"]: r["indexdef"] for r in rows}
    assert "(phrase, conference_unit, question)" in definitions["question_phrase_lookup"]
    assert "question_match_text" not in definitions and "question_match_fts" not in definitions  # replaced
    # What a migration or a repair runs: every entry and its phrases computed again from the questions.
    first, second = await submit(*FLOOD), await submit(
        "Đèn đường ngõ 5 Kim Mã hỏng", "Đèn chiếu sáng ngõ 5 phố Kim Mã hỏng nhiều tháng, buổi tối ngõ tối om.")
    await SimilarityPhrase.delete(force=True)
    assert await similarity.rebuild() == await Question.count().where(Question.state != "withdrawn")
    assert first["id"] in await indexed("chua boc") and second["id"] in await indexed("kim ma")
    with_phrases = await SimilarityPhrase.raw("SELECT COUNT(DISTINCT question) AS n FROM question_phrase")
    assert with_phrases[0]["n"] == await SimilarityEntry.count()


async def test_a_submission_is_indexed_in_its_own_transaction(demo_db):
    question = await submit(*FLOOD)
    entry = await SimilarityEntry.select().where(SimilarityEntry.question == question["id"]).first()
    assert entry["text"].startswith(" ngo 12 pho chua boc ngap") and not entry["listed"]  # not accepted yet
    assert question["id"] in await indexed("chua boc")


async def test_the_organisers_public_text_replaces_what_is_searched(demo_db):
    question = await submit(*FLOOD)
    await screening.edit_public_text(await organiser(), question["id"], {
        "public_summary": "Ngập ở ngõ 12 Chùa Bộc",
        "public_text": "Đầu ngõ ngập khi mưa; cống bị tắc ở nhà ông [đã ẩn]."},
        NOW)
    assert question["id"] in await indexed("tac an")  # "tắc ở nhà ông [đã ẩn]", content words only
    assert question["id"] not in await indexed("kim lien")  # the original text is no longer what is searched


async def test_accepting_lists_it_merging_points_at_the_main_and_withdrawing_removes_it(demo_db):
    main = await submit(*FLOOD)
    duplicate = await submit("ngo 12 pho Chua Boc bi ngap khi mua",
                             "Kinh gui UBND phuong Kim Lien, ngo 12 pho Chua Boc cu mua to la ngap, nuoc ngap den "
                             "nua banh xe. Cong dau ngo tac bun rac. De nghi phuong nao vet cong.", manage=True)
    actor = await organiser()
    await screening.decide(actor, main["id"], "accept", {}, NOW, BASE)
    assert (await SimilarityEntry.select().where(SimilarityEntry.question == main["id"]).first())["listed"]
    assert await hints_for(duplicate.question["id"]) == [main["id"]]

    await screening.merge(actor, duplicate.question["id"], intake.display_code(main["tracking_code"]), "", NOW, BASE)
    entry = await SimilarityEntry.select().where(SimilarityEntry.question == duplicate.question["id"]).first()
    assert entry["main_question"] == main["id"]
    third = await submit("Ngõ 12 Chùa Bộc lại ngập",
                         "Mưa xuống là ngõ 12 Chùa Bộc lại ngập, cống đầu ngõ tắc nhiều ngày.")
    assert await hints_for(third["id"]) == [main["id"]]  # the merged one counts for its main question

    other = await submit("Ngõ 12 phố Chùa Bộc ngập, cống tắc", FLOOD[1], manage=True)
    code = intake.display_code(other.question["tracking_code"])
    await tracking.withdraw(code, other.manage_token, "", NOW, BASE)
    assert not await SimilarityEntry.select().where(SimilarityEntry.question == other.question["id"])
    assert other.question["id"] not in await indexed("chua boc")
    assert other.question["id"] not in await hints_for(main["id"])


# --- What it finds and what it keeps apart -------------------------------------------------------------

@pytest.mark.parametrize("title, body", [
    FLOOD,  # the same text sent twice (a family's second member, a resubmission): the surest of all
    ("ngo 12 pho chua boc bi ngap moi khi mua", "Nuoc ngap den nua banh xe, cong dau ngo bi tac."),  # folded
    ("Ngõ 12 phố Chùa Bộc ngập", "Mưa là ngập, cống dầu ngõ tắc, dề nghị phường nạo vét."),  # đ typed as d
    ("Ngõ 12 Chùa Bộc bị úng ngập", "Mỗi trận mưa to nước ngập đầu ngõ, cống tắc lâu ngày."),  # a paraphrase
    # Telex left unconverted
    ("ngõ 12 Chùa Bộc ngapj nuwowcs", "mưa laf ngập, cống dduwowngf tắc, ddeef nghij phuwowngf nạo vét"),
])
async def test_variants_of_a_question_find_it(demo_db, title, body):
    first = await submit(*FLOOD)
    variant = await submit(title, body)
    assert await hints_for(variant["id"]) == [first["id"]]


@pytest.mark.parametrize("title, body", [
    ("Ngõ 21 phố Chùa Bộc ngập sâu mỗi khi mưa", FLOOD[1].replace("ngõ 12", "ngõ 21")),  # another alley
    ("Ngõ 12 phố Chùa Bộc không có đèn chiếu sáng",  # another problem, same place
     "Kính gửi UBND phường Kim Liên. Tôi là cư dân ngõ 12 phố Chùa Bộc. Đèn chiếu sáng đầu ngõ hỏng ba tháng, "
     "tối om, người dân đi lại nguy hiểm. Đề nghị phường thay đèn."),
    ("Ngõ 12 phố Tây Sơn ngập sâu mỗi khi mưa", FLOOD[1].replace("Chùa Bộc", "Tây Sơn")),  # another street
    ("Ngõ 12 phố Chùa Bộc ngập sâu mỗi khi mưa", FLOOD[1].replace("phường Kim Liên", "phường Phương Liên")
     .replace("ngõ 12 phố", "ngách 12/5 phố")),  # another alley, written as a ngách
])
async def test_look_alikes_are_not_offered(demo_db, title, body):
    first = await submit(*FLOOD)
    other = await submit(title, body)
    assert first["id"] not in await hints_for(other["id"])


async def test_the_engine_meets_its_goals_on_the_development_set(demo_db):
    """recall@3 ≥ 0.97 and hard-negative error ≤ 0.05 on tests/data/similar/dev.json, through the
    real index of this engine; and no kind of hard negative is mostly mistaken."""
    labelled = similar_quality.load("dev")
    c = await conference()
    topic = await Topic.select(Topic.id).first()
    ids = await similar_quality.seed(labelled, c["id"], c["unit"], topic["id"], NOW)
    shown, _times = await similar_quality.lookups(labelled, ids)
    scores = similar_quality.score(labelled, shown)
    assert scores.recall_at_3 >= 0.97, scores.misses
    assert scores.hard_negative_error <= 0.05, scores.errors
    kinds = {kind for _a, _b, kind in labelled.hard_negatives}
    for kind in kinds:
        pairs = 2 * sum(1 for *_ab, k in labelled.hard_negatives if k == kind)
        assert sum(1 for *_ab, k in scores.errors if k == kind) <= 0.15 * pairs, kind


async def test_a_pair_with_nothing_in_common_is_never_offered(demo_db):
    """The model rates a pair by its differences; two questions that share no place, no problem and
    few words have none it knows of, and are still not offered."""
    first = await submit("Xin hỏi về chế độ nghỉ phép của cán bộ không chuyên trách",
                         "Đề nghị phường cho biết quy định nghỉ phép năm của cán bộ không chuyên trách ở tổ dân phố.")
    other = await submit("Đề nghị tổ chức lễ hội văn hóa cho thiếu nhi",
                         "Đề nghị phường tổ chức lễ hội văn hóa cho thiếu nhi trong dịp hè ở nhà văn hóa tổ dân phố.")
    assert first["id"] not in await hints_for(other["id"])


async def test_hints_say_how_likely_and_why(demo_db):
    first = await submit(*FLOOD)
    variant = await submit("Ngõ 12 Chùa Bộc bị úng ngập", "Mỗi trận mưa to nước ngập đầu ngõ 12 Chùa Bộc, cống tắc.")
    [hint] = await similarity.similar(await row(variant["id"]))
    assert hint["id"] == first["id"] and hint["likelihood"] >= likeness.SHOWN_FROM
    assert "alley" in hint["same_places"] and "water" in hint["shared_problems"]


def test_profiles_read_vietnamese_places():
    places = likeness.places("Kính gửi UBND phường Kim Liên. Nhà số 18 ngách 5 ngõ 102 phố Trường Chinh, tổ dân phố "
                             "số 7, gần trường THCS Phan Chu Trinh và chung cư CT2 của KĐT Linh Đàm, thành phố Hà Nội.")
    assert places["ward"] == {"kim lien"} and places["house"] == {"18"} and places["alley"] == {"102/5"}
    assert places["street"] == {"truong chinh"} and places["group"] == {"to dan pho 7"}
    assert {"truong thcs phan chu trinh", "ct2", "linh dam"} <= places["project"]
    assert likeness.places("hem 45/12 duong le van sy, kp 3")["alley"] == {"45/12"}
    assert likeness.places("TDP 7, đường 3 Tháng 2")["group"] == {"to dan pho 7"}
    assert likeness.places("đường 3 Tháng 2")["street"] == likeness.places("đ. 3/2")["street"]


# --- The public form -------------------------------------------------------------------------------------

async def test_the_ask_page_lists_public_questions_like_the_one_described(demo_client):
    main = await submit(*FLOOD)
    await screening.decide(await organiser(), main["id"], "accept", {}, NOW, BASE)
    hidden = await submit("Ngõ 12 Chùa Bộc ngập, cống tắc", FLOOD[1], public=False)
    await screening.decide(await organiser(), hidden["id"], "accept", {}, NOW, BASE)
    c = await conference()
    page = await demo_client.get(f"/conferences/{c['id']}/ask",
                                 params={"form": "f" * 40, "like": "ngập ngõ 12 Chùa Bộc"})
    assert page.status_code == 200
    assert FLOOD[0] in page.text and "Ngõ 12 Chùa Bộc ngập, cống tắc" not in page.text  # no consent: never listed
    assert "Very likely the same matter" in page.text or "Rất có thể cùng một vụ việc" in page.text
    fragment = await demo_client.get(f"/conferences/{c['id']}/asked-like",
                                     params={"title": "Ngõ 12 Chùa Bộc ngập khi mưa", "text": "cống tắc"})
    assert fragment.status_code == 200 and FLOOD[0] in fragment.text and "<html" not in fragment.text
    nothing = await demo_client.get(f"/conferences/{c['id']}/asked-like", params={"title": "Xin cấp bản sao khai sinh"})
    assert FLOOD[0] not in nothing.text


async def test_looking_for_questions_like_mine_keeps_everything_typed_and_sends_nothing(demo_client):
    main = await submit(*FLOOD)
    await screening.decide(await organiser(), main["id"], "accept", {}, NOW, BASE)
    c = await conference()
    form_page = await demo_client.get(f"/conferences/{c['id']}/ask", follow_redirects=True)
    token = form_page.text.split('name="form_token" value="')[1].split('"')[0]
    before = await Question.count()
    page = await demo_client.post(f"/conferences/{c['id']}/ask", data={
        "_csrf_token": csrf_token_from(form_page.text), "form_token": token, "check": "1",
        "asker_name": "Phạm Văn Tú", "asker_email": "tu@example.vn", "title": "Ngõ 12 Chùa Bộc bị ngập",
        "body": "Mưa là ngập, cống đầu ngõ 12 Chùa Bộc bị tắc."})
    assert page.status_code == 200 and await Question.count() == before
    assert 'value="Phạm Văn Tú"' in page.text and "cống đầu ngõ 12 Chùa Bộc bị tắc" in page.text
    assert FLOOD[0] in page.text


@pytest.mark.parametrize("params", [
    {"like": "x" * 5000}, {"like": "\x00 ngõ 12 \u200b"}, {"like": "' OR 1=1 --"}, {"like": '" NEAR ( ) * ^'},
])
async def test_any_search_gets_a_page(demo_client, params):
    c = await conference()
    page = await demo_client.get(f"/conferences/{c['id']}/ask", params={"form": "f" * 40, **params})
    assert page.status_code in (200, 400)
    fragment = await demo_client.get(f"/conferences/{c['id']}/asked-like",
                                     params={"title": params["like"], "text": params["like"]})
    assert fragment.status_code in (200, 400)
