"""Agency tokens (issue 18), on both databases: created by the agency's head in the browser, shown
once and kept hashed; scoped, expiring, revocable, every use logged; with one, an agency's system
reads only its own agency's items (another agency's give 404), sends an answer draft that the head
then approves in the browser, and posts a progress note."""

import re

import pytest

from dialogue.accounts.tables import ApiToken, StaffUser
from dialogue.accounts.tokens import token_hash
from dialogue.answers.tables import Answer
from dialogue.commitments.tables import CommitmentUpdate
from dialogue.machine.log import ActionLog
from dialogue.questions.tables import Assignment, Question
from tests.conftest import DEMO_ACCOUNTS, post_form, sign_in
from tests.test_accountability import concluded_record

AGENCY = "/api/v1/agency"


@pytest.fixture
async def record(demo_db):
    return await concluded_record(demo_db)


async def create_token(client, scopes=("read",), days="30", name="Hệ thống văn bản", agency: int | None = None) -> str:
    data = {"name": name, "scopes": list(scopes), "days": days, **({"agency": str(agency)} if agency else {})}
    response = await post_form(client, "/agency/tokens/", data,
                               page="/agency/tokens/" + (f"?agency={agency}" if agency else ""))
    assert response.status_code == 200, response.text
    return re.search(r'<code class="token">(dlg_[A-Za-z0-9_-]+)</code>', response.text).group(1)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_the_head_creates_a_token_shown_once_and_kept_hashed(record, demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    token = await create_token(demo_client, scopes=("read", "drafts"))
    row = await ApiToken.select().where(ApiToken.token_hash == token_hash(token)).first()
    assert row["agency"] == record["agencies"]["KT-HT-ĐT"] and row["scopes"] == "read,drafts"
    assert token not in str(await ApiToken.select())  # only its hash, and its first characters
    page = (await demo_client.get("/agency/tokens/")).text
    assert token not in page and row["hint"] in page and "Hệ thống văn bản" in page
    logged = await ActionLog.select().where(ActionLog.action == "api_token_created")
    assert [entry["object_id"] for entry in logged] == [str(row["id"])]


async def test_bad_input_keeps_what_was_typed(record, demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    response = await post_form(demo_client, "/agency/tokens/", {"name": "Hệ thống <b>", "days": "9999"})
    assert response.status_code == 400
    assert "Hệ thống &lt;b&gt;" in response.text and "9999" in response.text
    assert "Chọn những việc mã được phép làm." in response.text or "scopes-error" in response.text
    assert not await ApiToken.select()


async def test_only_heads_and_admins_manage_tokens_and_only_their_agencys(record, demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
    assert (await demo_client.get("/agency/tokens/")).status_code == 403
    demo_client.cookies.clear()
    await sign_in(demo_client, "head.vp@dongda.demo")
    vp_token = await create_token(demo_client)
    vp_id = (await ApiToken.select(ApiToken.id).where(ApiToken.token_hash == token_hash(vp_token)).first())["id"]
    demo_client.cookies.clear()
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])  # KT-HT-ĐT's head
    refused = await post_form(demo_client, f"/agency/tokens/{vp_id}/revoke", {}, page="/agency/tokens/")
    assert refused.status_code == 403
    assert (await demo_client.get(f"{AGENCY}/questions", headers=bearer(vp_token))).status_code == 200
    demo_client.cookies.clear()
    await sign_in(demo_client, DEMO_ACCOUNTS["admin"])
    picker = await demo_client.get("/agency/tokens/")  # no agency chosen yet: the choice
    assert picker.status_code == 200 and 'name="agency"' in picker.text
    admin_made = await create_token(demo_client, agency=record["agencies"]["VP"], name="Cổng dữ liệu")
    assert (await ApiToken.select(ApiToken.agency).where(ApiToken.token_hash == token_hash(admin_made)).first()) \
        == {"agency": record["agencies"]["VP"]}


async def test_a_token_reads_only_its_agencys_items_without_personal_data(record, demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    token = await create_token(demo_client)
    demo_client.cookies.clear()  # the system has no session: only its token
    kt = record["agencies"]["KT-HT-ĐT"]
    questions = (await demo_client.get(f"{AGENCY}/questions", headers=bearer(token))).json()
    assigned = await Assignment.select(Assignment.question.tracking_code.as_alias("code")).where(
        (Assignment.agency == kt) & (Assignment.active == True))
    assert {q["code"].replace("-", "") for q in questions} == {row["code"] for row in assigned}
    assert record["codes"]["pavement"] not in {q["code"] for q in questions}  # VP's
    commitments = (await demo_client.get(f"{AGENCY}/commitments", headers=bearer(token))).json()
    assert commitments and all(c["commitment"]["lead_agency"] == kt or c["role"] == "cooperating"
                               for c in commitments)
    for value in record["private"]:
        assert value not in str(questions) + str(commitments), value


async def test_scopes_expiry_revocation_and_every_use_logged(record, demo_client, clock):
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    token = await create_token(demo_client, days="1")
    row = await ApiToken.select().where(ApiToken.token_hash == token_hash(token)).first()
    rubbish = record["codes"]["rubbish"]
    demo_client.cookies.clear()
    read = await demo_client.get(f"{AGENCY}/questions", headers=bearer(token))
    assert read.status_code == 200
    refused = await demo_client.post(f"{AGENCY}/questions/{rubbish}/draft", json={"body": "Trả lời."},
                                     headers=bearer(token))
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    for headers in ({}, bearer("dlg_not-a-token"), {"Authorization": f"Basic {token}"}):
        response = await demo_client.get(f"{AGENCY}/questions", headers=headers)
        assert response.status_code == 401 and response.json()["status"] == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
    uses = await ActionLog.count().where(
        (ActionLog.action == "api_token_used") & (ActionLog.object_id == str(row["id"])))
    assert uses == 2  # the read and the refused draft; unknown tokens are nobody's use
    clock.advance(days=1, seconds=1)
    assert (await demo_client.get(f"{AGENCY}/questions", headers=bearer(token))).status_code == 401  # expired
    assert await ActionLog.count().where(
        (ActionLog.action == "api_token_refused") & (ActionLog.object_id == str(row["id"]))) == 1
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    fresh = await create_token(demo_client)
    fresh_id = (await ApiToken.select(ApiToken.id).where(ApiToken.token_hash == token_hash(fresh)).first())["id"]
    response = await post_form(demo_client, f"/agency/tokens/{fresh_id}/revoke", {}, page="/agency/tokens/",
                               follow_redirects=False)
    assert response.status_code == 303
    demo_client.cookies.clear()
    assert (await demo_client.get(f"{AGENCY}/questions", headers=bearer(fresh))).status_code == 401  # revoked
    assert await ActionLog.count().where(ActionLog.action == "api_token_revoked") == 1


async def test_a_draft_sent_by_the_system_is_approved_by_the_head_in_the_browser(record, demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    token = await create_token(demo_client, scopes=("read", "drafts"))
    demo_client.cookies.clear()
    rubbish, pavement = record["codes"]["rubbish"], record["codes"]["pavement"]
    other = await demo_client.post(f"{AGENCY}/questions/{pavement}/draft", json={"body": "Không phải của chúng tôi."},
                                   headers=bearer(token))
    assert other.status_code == 404  # VP's question: not found, not "forbidden"
    empty = await demo_client.post(f"{AGENCY}/questions/{rubbish}/draft", json={"body": ""}, headers=bearer(token))
    assert empty.status_code == 400 and "body" in empty.json()["errors"]
    sent = await demo_client.post(f"{AGENCY}/questions/{rubbish}/draft",
                                  json={"body": "Phường đã bố trí xe thu gom rác hằng ngày.", "legal_basis": ""},
                                  headers=bearer(token))
    assert sent.status_code == 201, sent.text
    assert sent.json() == {"question": rubbish, "answer_state": "submitted", "answer_version": 1}
    question = await Question.select(Question.id).where(Question.tracking_code == rubbish.replace("-", "")).first()
    answer = await Answer.select().where(Answer.question == question["id"]).first()
    assert answer["updated_by"] is None and answer["approved_by"] is None  # a system wrote it; nobody approved yet
    entry = await ActionLog.select().where((ActionLog.object_type == "question")
                                           & (ActionLog.object_id == str(question["id"]))
                                           & (ActionLog.action.like("answer_submit%"))).first()
    assert entry["actor_kind"] == "token" and entry["actor_ref"].startswith("token ")
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    page = await demo_client.get(f"/agency/questions/{question['id']}")
    assert "Phường đã bố trí xe thu gom rác hằng ngày." in page.text
    # The head returns it; the system reads the version and sends it again (a stale version is a conflict).
    returned = await post_form(demo_client, f"/agency/questions/{question['id']}/answer/return",
                               {"comment": "Nêu rõ giờ thu gom."}, page=f"/agency/questions/{question['id']}",
                               follow_redirects=False)
    assert returned.status_code == 303, returned.text
    demo_client.cookies.clear()
    listed = (await demo_client.get(f"{AGENCY}/questions", headers=bearer(token))).json()
    mine = next(q for q in listed if q["code"] == rubbish)
    assert mine["answer_state"] == "returned"
    stale = await demo_client.post(f"{AGENCY}/questions/{rubbish}/draft",
                                   json={"body": "Bản cũ.", "version": mine["answer_version"] + 5},
                                   headers=bearer(token))
    assert stale.status_code == 409
    again = await demo_client.post(f"{AGENCY}/questions/{rubbish}/draft", headers=bearer(token), json={
        "body": "Phường đã bố trí xe thu gom rác hằng ngày, từ 18 giờ.", "version": mine["answer_version"]})
    assert again.status_code == 201, again.text
    assert again.json()["answer_state"] == "submitted"
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    approved = await post_form(demo_client, f"/agency/questions/{question['id']}/answer/approve", {},
                               page=f"/agency/questions/{question['id']}", follow_redirects=False)
    assert approved.status_code == 303, approved.text
    head = await StaffUser.select(StaffUser.id).where(StaffUser.email == DEMO_ACCOUNTS["agency_head"]).first()
    assert (await Answer.select(Answer.approved_by).where(Answer.question == question["id"]).first()) == {
        "approved_by": head["id"]}


async def test_a_progress_note_from_the_system(record, demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    token = await create_token(demo_client, scopes=("progress",))
    demo_client.cookies.clear()
    kt = record["agencies"]["KT-HT-ĐT"]
    ours = next(c for c in record["commitments"].values() if c["lead_agency"] == kt and c["state"] == "in_progress")
    theirs = next((c for c in record["commitments"].values() if c["lead_agency"] != kt), None)
    posted = await demo_client.post(f"{AGENCY}/commitments/{ours['id']}/progress",
                                    json={"note": "Đã khảo sát xong 2/3 tuyến rãnh.", "percent": 70},
                                    headers=bearer(token))
    assert posted.status_code == 201, posted.text
    update = await CommitmentUpdate.select().where(CommitmentUpdate.id == posted.json()["update"]).first()
    assert (update["note"], update["percent"], update["author"]) == ("Đã khảo sát xong 2/3 tuyến rãnh.", 70, None)
    public = (await demo_client.get(f"/api/v1/commitments/{ours['id']}")).json()
    assert public["progress"] == 70
    if theirs is not None:
        response = await demo_client.post(f"{AGENCY}/commitments/{theirs['id']}/progress",
                                          json={"note": "x"}, headers=bearer(token))
        assert response.status_code == 404
    bad = await demo_client.post(f"{AGENCY}/commitments/{ours['id']}/progress", json={"note": "x", "percent": 101},
                                 headers=bearer(token))
    assert bad.status_code == 400
