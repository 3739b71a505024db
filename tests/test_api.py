"""The open-data API (/api/v1): the same facts as the public pages and nothing more, on both databases.

Each endpoint is read against what the public pages show for the demo's concluded conference (the
`results` fixture of test_accountability: answers published, commitments in every state, and a
drainage asker whose name, phone and e-mail must never appear). A walk over every response looks for
any asker's personal data. Then: paging without gaps or repeats while questions arrive, the ETag
round trip, the rate limit, CORS, and problem details in Vietnamese and English."""

import asyncio
import datetime as dt
import json
import uuid

import pytest

from dialogue.conferences.tables import Conference
from dialogue.questions import intake
from dialogue.questions.tables import Question
from dialogue.reference.tables import Topic
from tests.conftest import make_client
from tests.test_accountability import concluded_record

API = "/api/v1"


@pytest.fixture
async def results(demo_db):
    """The demo's concluded conference with answers and commitments (test_accountability's record)."""
    return await concluded_record(demo_db)


async def get_json(client, path: str, status: int = 200, **kwargs) -> dict:
    response = await client.get(path, **kwargs)
    assert response.status_code == status, response.text
    return response.json()


async def every_page(client, path: str, limit: int = 2) -> list[dict]:
    items, cursor = [], ""
    separator = "&" if "?" in path else "?"
    while True:
        page = await get_json(client, f"{path}{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        items += page["items"]
        if page["next"] is None:
            return items
        cursor = page["next"]


def walk(value):
    """Every string in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)
    elif isinstance(value, str):
        yield value


async def questions_of(client, conference_id: int) -> dict[str, dict]:
    return {q["code"]: q for q in await every_page(client, f"{API}/questions?conference={conference_id}", 100)}


# --- The same facts as the pages, and nothing more -------------------------------------------------------

async def test_the_public_questions_are_those_the_results_page_shows(results, demo_client):
    cid, codes = results["conference"]["id"], results["codes"]
    found = await questions_of(demo_client, cid)
    page = (await demo_client.get(f"/conferences/{cid}/results")).text
    assert set(found) == {code for code in found if f"/q/{code}" in page}
    assert set(codes.values()) <= set(found)
    drainage = found[codes["drainage"]]
    assert drainage["heading"] == "Ngập úng ngõ 42 phố Hoàng Cầu mỗi khi mưa lớn" and drainage["answered"]
    assert drainage["lead_agency"] == results["agencies"]["KT-HT-ĐT"]
    assert drainage["url"].endswith(f"/q/{codes['drainage']}")
    assert not found[codes["rubbish"]]["answered"]
    one = await get_json(demo_client, f"{API}/questions/{codes['drainage'].lower()}")  # a code as typed
    assert one == drainage


async def test_the_organisers_published_text_replaces_the_original(results, demo_client):
    code = results["codes"]["pavement"]
    await Question.update({Question.public_summary: "Vỉa hè Xã Đàn", Question.public_text: "Văn bản đã biên tập."}) \
        .where(Question.tracking_code == code.replace("-", ""))
    found = await get_json(demo_client, f"{API}/questions/{code}")
    assert (found["heading"], found["text"]) == ("Vỉa hè Xã Đàn", "Văn bản đã biên tập.")
    original = await Question.select(Question.body).where(Question.tracking_code == code.replace("-", "")).first()
    listed = await every_page(demo_client, f"{API}/questions", 100)
    assert original["body"] not in json.dumps(listed, ensure_ascii=False)


async def test_a_question_the_public_may_not_see_is_not_there(results, demo_client):
    code = results["codes"]["building"]
    await Question.update({Question.public_consent: False}).where(Question.tracking_code == code.replace("-", ""))
    assert code not in await questions_of(demo_client, results["conference"]["id"])
    problem = await get_json(demo_client, f"{API}/questions/{code}", 404)
    assert problem["status"] == 404 and problem["title"]
    # its commitment is still followed in public, as on the results page, without its code
    commitments = await every_page(demo_client, f"{API}/commitments", 100)
    assert code not in json.dumps(commitments)
    draft = await Conference.select(Conference.id).where(Conference.state == "draft").first()
    if draft:  # a draft conference is nobody's business yet
        await get_json(demo_client, f"{API}/conferences/{draft['id']}", 404)


async def test_answers_are_the_published_ones_with_their_parts(results, demo_client):
    codes = results["codes"]
    answers = {a["question"]: a for a in await every_page(demo_client, f"{API}/answers", 100)}
    assert answers[codes["drainage"]]["body"] == "Phường sẽ nạo vét rãnh ngõ 42."
    assert answers[codes["pavement"]]["agency"] == results["agencies"]["VP"]
    assert codes["rubbish"] not in answers  # routed, not answered
    assert (await get_json(demo_client, f"{API}/questions/{codes['lights']}/answer"))["body"] == \
        "Đèn đã được thay bằng đèn LED."
    problem = await get_json(demo_client, f"{API}/questions/{codes['rubbish']}/answer", 404)
    assert problem["detail"] == "Câu hỏi này chưa có câu trả lời được công bố."
    by_agency = await every_page(demo_client, f"{API}/answers?agency={results['agencies']['VP']}")
    assert [a["question"] for a in by_agency] == [codes["pavement"]]


async def test_commitments_with_state_due_date_and_history(results, demo_client):
    cid = results["conference"]["id"]
    found = {c["id"]: c for c in await every_page(demo_client, f"{API}/commitments?conference={cid}")}
    assert set(found) == set(results["commitments"])
    for commitment_id, row in results["commitments"].items():
        record = found[commitment_id]
        assert (record["state"], record["due_on"], record["lead_agency"]) == (
            row["state"], row["due_on"].isoformat(), row["lead_agency"])
        assert record["history"] and record["url"].endswith(f"/conferences/{cid}/commitments/{commitment_id}")
        assert await get_json(demo_client, f"{API}/commitments/{commitment_id}") == record
    verified = await every_page(demo_client, f"{API}/commitments?state=verified")
    assert [c["outcome"] for c in verified] and all(c["state"] == "verified" for c in verified)
    led = await every_page(demo_client, f"{API}/commitments?agency={results['agencies']['KT-HT-ĐT']}")
    assert led and all(results["agencies"]["KT-HT-ĐT"] == c["lead_agency"] or c["cooperating"] for c in led)


async def test_an_agencys_figures_are_those_of_its_page(results, demo_client):
    kt = results["agencies"]["KT-HT-ĐT"]
    record = await get_json(demo_client, f"{API}/agencies/{kt}")
    figures = {f["key"]: (f["value"], f["count"]) for f in record["figures"]}
    assert figures["on_time"] == ("1/3 (33 %)", 3) and figures["overdue"] == ("1/3", 3)
    assert figures["kept"] == ("1/1", 1) and figures["extended"] == ("1/4", 4)
    english = await get_json(demo_client, f"{API}/agencies/{kt}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert next(f for f in english["figures"] if f["key"] == "on_time")["label"] == "Answers on time"
    assert {a["id"] for a in await every_page(demo_client, f"{API}/agencies")} >= set(results["agencies"].values())


async def test_units_and_topics(results, demo_client):
    provinces = await every_page(demo_client, f"{API}/units?level=province", 100)
    assert len(provinces) == 34 and {"01", "79"} <= {u["code"] for u in provinces}
    hanoi = next(u for u in provinces if u["code"] == "01")
    communes = await every_page(demo_client, f"{API}/units?parent={hanoi['id']}", 100)
    assert len(communes) == 126 and all(u["level"] == "commune" for u in communes)
    topics = await every_page(demo_client, f"{API}/topics")
    assert {t["code"] for t in topics} >= set(results["topics"])


async def test_no_response_carries_an_askers_personal_data(results, demo_client):
    """Every list, every record, both languages: the askers' names, phones and e-mails never appear."""
    cid = results["conference"]["id"]
    bodies = []
    for path in ("/conferences", "/questions", "/answers", "/commitments", "/agencies"):
        bodies += await every_page(demo_client, API + path, 100)
    bodies.append(await get_json(demo_client, f"{API}/conferences/{cid}"))
    for code in results["codes"].values():
        bodies.append(await get_json(demo_client, f"{API}/questions/{code}"))
    for agency in results["agencies"].values():
        bodies.append(await get_json(demo_client, f"{API}/agencies/{agency}", headers={"Accept-Language": "en"}))
    strings = set(walk(bodies))
    for value in results["private"]:
        assert not any(value in string for string in strings), value
    keys = {key for body in bodies for key in walk(body) if isinstance(key, str)}
    assert not keys & {"asker_name", "asker_email", "asker_phone", "organisation_name", "tax_code", "body_original"}


# --- Paging, caching, limits, CORS, errors --------------------------------------------------------------

async def submit_public(conference_id: int, n: int) -> str:
    """A question sent through the real submission and accepted: public at once."""
    from dialogue.accounts.tables import StaffUser
    from dialogue.machine.actors import Actor
    from dialogue.questions import screening
    from tests.conftest import DEMO_ACCOUNTS

    c = await Conference.select().where(Conference.id == conference_id).first()
    topic = await Topic.select(Topic.id).where(Topic.code == "environment").first()
    form = {"form_token": uuid.uuid4().hex, "asker_kind": "resident", "asker_name": "Người Mới",
            "unit": str(c["unit"]), "asker_email": "moi@example.vn", "topic": str(topic["id"]),
            "title": f"Câu hỏi mới số {n}",
            "body": f"Nội dung câu hỏi mới số {n}, gửi trong lúc có người đang đọc dữ liệu mở.",
            "answer_mode": "writing", "public_consent": "yes", "data_consent": "yes"}
    policy = intake.SubmissionPolicy(per_address_per_hour=1000, base_url="https://testserver.local")
    submitted = await intake.submit_question(conference_id, form, f"api-{n}", "vi",
                                             c["questions_open_at"] + dt.timedelta(days=1), policy)
    organiser = Actor.staff(await StaffUser.select().where(StaffUser.email == DEMO_ACCOUNTS["organiser"]).first())
    await screening.decide(organiser, submitted.question["id"], "accept", {},
                           c["questions_open_at"] + dt.timedelta(days=2), "https://testserver.local")
    return intake.display_code(submitted.question["tracking_code"])


async def test_paging_never_skips_or_repeats_while_questions_arrive(results, demo_client):
    open_conference = await Conference.select().where(Conference.state == "open").first()
    for n in range(5):
        await submit_public(open_conference["id"], n)
    before = [q["code"] for q in await every_page(demo_client, f"{API}/questions", 100)]
    read, cursor, added = [], "", []
    while True:
        path = f"{API}/questions?limit=2" + (f"&cursor={cursor}" if cursor else "")
        if len(added) < 3:  # another asker's question is accepted while this page is read
            response, code = await asyncio.gather(demo_client.get(path),
                                                  submit_public(open_conference["id"], 10 + len(added)))
            added.append(code)
        else:
            response = await demo_client.get(path)
        page = response.json()
        read += [q["code"] for q in page["items"]]
        if page["next"] is None:
            break
        cursor = page["next"]
    assert len(read) == len(set(read))  # nothing twice
    assert read[:len(before)] == before  # nothing skipped, in the same order
    assert read[len(before):] == added  # what arrived, after


async def test_the_etag_round_trip_and_last_modified(results, demo_client):
    code = results["codes"]["drainage"]
    first = await demo_client.get(f"{API}/questions/{code}")
    tag, modified = first.headers["etag"], first.headers["last-modified"]
    assert tag.startswith('W/"') and first.headers["content-language"] == "vi"
    again = await demo_client.get(f"{API}/questions/{code}", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    since = await demo_client.get(f"{API}/questions/{code}", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = await demo_client.get(f"{API}/questions/{code}", headers={"If-None-Match": 'W/"other"'})
    assert other.status_code == 200
    await Question.update({Question.public_summary: "Tiêu đề mới"}).where(
        Question.tracking_code == code.replace("-", ""))
    changed = await demo_client.get(f"{API}/questions/{code}", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    english = await demo_client.get(f"{API}/questions/{code}", headers={"Accept-Language": "en"})
    assert english.headers["content-language"] == "en" and "Accept-Language" in english.headers["vary"]


async def test_too_many_requests_get_429_with_retry_after(demo_db, clock):
    async with make_client(demo_db.__class__(**{**demo_db.__dict__, "api_requests_per_minute": 3}), clock) as client:
        statuses = [(await client.get(f"{API}/topics")).status_code for _ in range(3)]
        refused = await client.get(f"{API}/topics", headers={"Accept-Language": "en"})
        pages_still_work = await client.get("/conferences")
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["title"] == "Too many attempts"
    assert pages_still_work.status_code == 200


async def test_any_site_may_read_it(results, demo_client):
    origin = {"Origin": "https://bao.example"}
    ok = await demo_client.get(f"{API}/conferences", headers=origin)
    missing = await demo_client.get(f"{API}/nothing-here", headers=origin)
    for response in (ok, missing):
        assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in ok.headers["access-control-expose-headers"]
    preflight = await demo_client.options(f"{API}/questions", headers={
        **origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code in (200, 204) and "GET" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-origin" not in (await demo_client.get("/conferences", headers=origin)).headers


@pytest.mark.parametrize("path, status, field", [
    ("/questions?cursor=not-ours", 400, "cursor"),
    ("/questions?cursor=djE6LTE", 400, "cursor"),  # "v1:-1"
    ("/questions?limit=0", 400, "limit"),
    ("/questions?limit=100000", 400, "limit"),
    ("/questions?state=withdrawn", 400, "state"),
    ("/questions?conference=abc", 400, "conference"),
    ("/questions?updated_since=yesterday", 400, "updated_since"),
    ("/questions?updated_since=0001-01-01T00:00:00%2B01:00", 400, "updated_since"),
    ("/answers?published_since=9999-12-31T23:59:59-05:00", 400, "published_since"),
    ("/commitments?state=%27%3BDROP", 400, "state"),
    ("/units?level=district%00", 400, "level"),
    ("/conferences/99999999999999999999", 400, "conference_id"),
    ("/conferences/2147483647", 404, None),
    ("/questions/%F0%9F%98%80", 404, None),
    ("/questions/" + "A" * 60, 400, None),
    ("/nothing-here", 404, None),
])
async def test_bad_requests_get_problem_details_in_the_readers_language(results, demo_client, path, status, field):
    for language in ("vi", "en"):
        response = await demo_client.get(API + path, headers={"Accept-Language": language})
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["content-language"] == language
        problem = response.json()
        assert problem["status"] == status and problem["title"] and problem["detail"]
        assert problem["instance"].startswith(API)
        if field:
            assert field in (problem.get("errors") or {}), problem


async def test_the_schema_and_its_page(results, demo_client):
    schema = await get_json(demo_client, "/schema/openapi.json")
    assert schema["openapi"].startswith("3.1")
    assert all(path.startswith(("/api/v1/", "/open311/")) for path in schema["paths"])
    assert "/api/v1/questions" in schema["paths"] and "Question" in schema["components"]["schemas"]
    assert not {"asker_name", "asker_email", "asker_phone"} & set(
        walk(schema["components"]["schemas"]))
    for ui in ("/schema", "/schema/swagger", "/schema/redoc"):
        assert (await demo_client.get(ui)).status_code == 404  # nothing that loads scripts from elsewhere
    page = await demo_client.get("/api")
    assert page.status_code == 200 and "/schema/openapi.json" in page.text
    for path in schema["paths"]:
        assert path in page.text
    demo_client.cookies.set("lang", "en")
    english = await demo_client.get("/api")
    assert "Open data API" in english.text
