"""Public accountability: a conference's results page (filters, word search without accents, paging,
polite messages for bad addresses), its CSV (BOM, header, rows, formula injection), the Atom feeds
parsed back, each commitment's public page, and the agencies' pages whose figures are recounted here
from the page's own lists. Who asked (name, phone, e-mail) never appears in any of them."""

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.answers import drafting
from dialogue.answers.tables import Answer
from dialogue.commitments.tables import Commitment
from dialogue.conferences.tables import Conference
from dialogue.demo.concluded import load_concluded_demo
from dialogue.demo.inspections import load_inspection_demo
from dialogue.demo.ratings import load_ratings_demo
from dialogue.inspections.tables import InspectionItem
from dialogue.machine.actors import Actor
from dialogue.machine.log import ActionLog
from dialogue.questions import routing
from dialogue.questions.intake import display_code
from dialogue.questions.tables import Question
from dialogue.ratings.tables import Rating
from dialogue.reference.tables import AdminUnit, Agency, Topic
from tests.conftest import DEMO_ACCOUNTS
from tests.pinned import NOW, TODAY

ATOM = "{http://www.w3.org/2005/Atom}"
SECRET = {"asker_name": "Lê Thị Kín Đáo", "asker_phone": "+84912345679", "asker_email": "kin.dao@example.vn"}
FORMULA = "=HYPERLINK(\"https://example.com\",\"bấm\")"


async def actor(email: str, agency_id: int | None = None) -> Actor:
    who = Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())
    if agency_id is None:
        return who
    return Actor(kind="staff", staff_id=who.staff_id, role=who.role, agency_id=agency_id)


def local(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour - 7), dt.UTC)


@pytest.fixture
async def results(demo_db):
    return await concluded_record(demo_db)


async def concluded_record(demo_db) -> dict:
    """The demo's concluded conference with its follow-up (drainage in progress, building site overdue,
    street lights kept, the chair's review extended), and answers: drainage by KT-HT-ĐT on time, street
    lights by KT-HT-ĐT late (published today), the pavement question by VP on time; the rubbish
    question routed to KT-HT-ĐT and still unanswered past its due date. The drainage asker's name,
    phone and e-mail are set to something a page must never show."""
    unit = (await Conference.select(Conference.unit).first())["unit"]
    await load_concluded_demo(unit, TODAY)
    conference = await Conference.select().where(Conference.state == "concluded").first()
    questions = await Question.select().where(Question.conference == conference["id"]).order_by(Question.created_at)
    drainage, building, rubbish, lights, pavement = questions[:5]  # then the four answered on the spot
    agencies = {a["short_name"]: a["id"] for a in await Agency.select(Agency.id, Agency.short_name)}
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    routed = TODAY - dt.timedelta(days=42)
    base = demo_db.base_url
    for question, agency in ((drainage, "KT-HT-ĐT"), (lights, "KT-HT-ĐT"), (rubbish, "KT-HT-ĐT"),
                             (pavement, "VP")):
        await routing.assign(organiser, question["id"], {"lead_agency": str(agencies[agency])}, local(routed), base)
    answers = ((drainage, "KT-HT-ĐT", routed + dt.timedelta(days=3), "Phường sẽ nạo vét rãnh ngõ 42."),
               (lights, "KT-HT-ĐT", TODAY, "Đèn đã được thay bằng đèn LED."),
               (pavement, "VP", routed + dt.timedelta(days=4), "Phường không cho thuê vỉa hè phố Xã Đàn."))
    for question, agency, day, body in answers:
        officer = await actor(DEMO_ACCOUNTS["agency_officer"], agencies[agency])
        head = await actor(DEMO_ACCOUNTS["agency_head"], agencies[agency])
        await drafting.submit(officer, question["id"], local(day), {"body": body, "legal_basis": ""})
        await drafting.review(head, question["id"], "approve", "", local(day, 10), base)
    await Question.update(SECRET).where(Question.id == drainage["id"])
    commitments = await Commitment.select().where(Commitment.conference == conference["id"]).order_by(Commitment.id)
    general = next(c for c in commitments if c["question"] is None)
    await Commitment.update({Commitment.text: FORMULA + " " + general["text"]}).where(Commitment.id == general["id"])
    askers = await Question.select(Question.asker_name, Question.asker_email, Question.asker_phone,
                                   Question.organisation_name).where(Question.conference == conference["id"])
    private = {value for row in askers for value in row.values() if value} | set(SECRET.values())
    topics = {t["code"]: t["id"] for t in await Topic.select(Topic.id, Topic.code)}
    return {"conference": conference, "agencies": agencies, "topics": topics, "private": private,
            "codes": {name: display_code(q["tracking_code"]) for name, q in (
                ("drainage", drainage), ("building", building), ("rubbish", rubbish), ("lights", lights),
                ("pavement", pavement))},
            "commitments": {c["id"]: c for c in await Commitment.select().where(
                Commitment.conference == conference["id"])}}


def assert_private_absent(text: str, private: set[str]) -> None:
    for value in private:
        assert value not in text, value


def shown_codes(html: str, codes: dict[str, str]) -> set[str]:
    return {name for name, code in codes.items() if f"/q/{code}" in html}


async def results_page(client, conference_id: int, query: str = "") -> str:
    response = await client.get(f"/conferences/{conference_id}/results{query}")
    assert response.status_code == 200, response.text
    return response.text


async def test_the_results_page_shows_every_public_question_with_its_answer_and_commitments(results, demo_client):
    cid, codes = results["conference"]["id"], results["codes"]
    html = await results_page(demo_client, cid)
    assert shown_codes(html, codes) == set(codes)
    assert "Phường sẽ nạo vét rãnh ngõ 42." in html and "Phường không cho thuê vỉa hè phố Xã Đàn." in html
    assert "Quá hạn 4 ngày làm việc" in html  # the building site: overdue in words, not colour only
    for commitment_id in results["commitments"]:
        assert f"/conferences/{cid}/commitments/{commitment_id}" in html
    assert "Kết luận của chủ trì hội nghị" in html
    assert f'href="/conferences/{cid}/feed.atom"' in html and 'type="application/atom+xml"' in html
    assert_private_absent(html, results["private"])
    conference_page = (await demo_client.get(f"/conferences/{cid}")).text
    assert f"/conferences/{cid}/results" in conference_page


@pytest.mark.parametrize(("query", "expected"), [
    ("?topic={traffic}", {"lights"}),
    ("?topic={environment}", {"drainage", "rubbish"}),
    ("?agency={VP}", {"pavement"}),
    ("?agency={KT-HT-ĐT}", {"drainage", "building", "lights"}),
    ("?state=verified", {"lights"}),
    ("?state=overdue", {"building"}),
    ("?state=in_progress", {"drainage"}),
    ("?q=den+chieu+sang", {"lights"}),  # Đèn chiếu sáng: "đ" folds to "d", accents and case ignored
    ("?q=HOANG+cau", {"drainage"}),
    ("?q=ho%C3%A0ng+C%E1%BA%A6U", {"drainage"}),  # typed with accents, in capitals
    ("?q=xa+dan&agency={VP}", {"pavement"}),
    ("?q=khong+co+gi+nhu+the", set()),
])
async def test_the_filters_keep_what_they_say(results, demo_client, query, expected):
    values = {**results["agencies"], **results["topics"]}
    html = await results_page(demo_client, results["conference"]["id"], query.format(**values))
    assert shown_codes(html, results["codes"]) == expected
    if not expected:
        assert "Không có kết quả nào khớp" in html


async def test_the_state_filter_keeps_only_the_commitments_in_that_state(results, demo_client):
    cid = results["conference"]["id"]
    html = await results_page(demo_client, cid, "?state=extended")
    general = next(c for c in results["commitments"].values() if c["question"] is None)
    assert f"/commitments/{general['id']}" in html and shown_codes(html, results["codes"]) == set()
    others = [c for c in results["commitments"].values() if c["id"] != general["id"]]
    assert not any(f"/commitments/{c['id']}\"" in html for c in others)


@pytest.mark.parametrize("query", [
    "?topic=999999", "?topic=abc", "?agency=-1", "?agency=1e9", "?state=flying", "?page=x", "?page=99999",
    "?q=" + "đường" * 2000, "?topic=%00", "?q=%F0%9F%98%80&state=", "?agency=99999999999999999999999",
])
async def test_bad_filters_still_give_the_page_with_a_polite_word(results, demo_client, query):
    response = await demo_client.get(f"/conferences/{results['conference']['id']}/results{query}")
    assert response.status_code == 200
    assert "Kết quả của hội nghị" in response.text
    if "q=%F0" not in query and "page=99999" not in query:
        assert 'class="notice"' in response.text


async def test_an_unknown_or_private_conference_has_no_results(results, demo_client):
    assert (await demo_client.get("/conferences/999999/results")).status_code == 404
    assert (await demo_client.get("/conferences/999999/results.csv")).status_code == 404
    assert (await demo_client.get("/conferences/999999/feed.atom")).status_code == 404
    cid = results["conference"]["id"]
    other = next(c for c in results["commitments"].values())
    assert (await demo_client.get(f"/conferences/{cid + 1000}/commitments/{other['id']}")).status_code == 404
    assert (await demo_client.get(f"/conferences/{cid}/commitments/999999")).status_code == 404


async def test_the_results_in_english(results, demo_client):
    await demo_client.get("/language/en")
    html = await results_page(demo_client, results["conference"]["id"], "?topic=nope")
    assert "Results of the conference" in html and "That topic is not one of this conference" in html
    csv_text = (await demo_client.get(f"/conferences/{results['conference']['id']}/results.csv")).content.decode()
    assert csv_text.startswith("\ufeffCode,Topic,Question,Answering agency")


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


async def test_the_csv_has_a_bom_a_header_and_one_row_per_commitment(results, demo_client):
    cid = results["conference"]["id"]
    response = await demo_client.get(f"/conferences/{cid}/results.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and f'filename="ket-qua-hoi-nghi-{cid}.csv"' in disposition
    rows = read_csv(response.content)
    assert rows[0] == ["Mã", "Lĩnh vực", "Câu hỏi", "Cơ quan trả lời", "Ngày trả lời", "Cam kết", "Cơ quan chủ trì",
                       "Trạng thái", "Tiến độ (%)", "Thời hạn", "Thời hạn ban đầu", "Số ngày làm việc quá hạn"]
    body = rows[1:]
    assert all(len(row) == 12 for row in body)
    # four commitments, plus the two public questions without one (rubbish, pavement), plus the four
    # answered on the spot at the session (no written answer, no commitment)
    assert len(body) == 10
    by_code = {}
    for row in body:
        by_code.setdefault(row[0], []).append(row)
    codes = results["codes"]
    pavement = by_code[codes["pavement"]][0]
    assert pavement[3] == "Văn phòng HĐND và UBND phường Đống Đa" and pavement[5:] == [""] * 7
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", pavement[4])
    building = by_code[codes["building"]][0]
    assert int(building[11]) > 0 and building[9]  # overdue working days, and the due date
    lights = by_code[codes["lights"]][0]
    assert lights[7] == "Đã hoàn thành và được xác nhận (Đã thực hiện)" and lights[8] == "100" and lights[11] == ""
    general = next(row for row in body if row[0] == "")
    assert general[5].startswith("'=HYPERLINK(")  # a formula is text, never run
    assert general[10]  # extended: the first due date
    assert_private_absent(response.content.decode("utf-8-sig"), results["private"])


async def test_the_csv_keeps_the_filters(results, demo_client):
    cid = results["conference"]["id"]
    rows = read_csv((await demo_client.get(f"/conferences/{cid}/results.csv?state=overdue")).content)
    assert [row[0] for row in rows[1:]] == [results["codes"]["building"]]
    html = await results_page(demo_client, cid, "?state=overdue")
    assert f"/conferences/{cid}/results.csv?state=overdue" in html


def parse_feed(content: bytes) -> ET.Element:
    root = ET.fromstring(content)
    assert root.tag == f"{ATOM}feed"
    return root


def entries_of(root: ET.Element) -> list[dict]:
    return [{"id": e.findtext(f"{ATOM}id"), "title": e.findtext(f"{ATOM}title"),
             "updated": dt.datetime.fromisoformat(e.findtext(f"{ATOM}updated")),
             "link": e.find(f"{ATOM}link").get("href"), "summary": e.findtext(f"{ATOM}summary") or ""}
            for e in root.findall(f"{ATOM}entry")]


async def test_the_conference_feed_parses_back_with_its_answers_and_commitment_steps(results, demo_client, demo_db):
    cid, base = results["conference"]["id"], demo_db.base_url.rstrip("/")
    response = await demo_client.get(f"/conferences/{cid}/feed.atom")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    root = parse_feed(response.content)
    assert root.findtext(f"{ATOM}id") == f"{base}/conferences/{cid}/feed.atom"
    entries = entries_of(root)
    log = await ActionLog.select(ActionLog.id, ActionLog.object_id, ActionLog.action).where(
        (ActionLog.object_type == "commitment") & ActionLog.object_id.is_in([str(i) for i in results["commitments"]]))
    expected = {f"{base}/q/{results['codes'][name]}#answer" for name in ("drainage", "lights", "pavement")}
    expected |= {f"{base}/conferences/{cid}/commitments/{row['object_id']}#log-{row['id']}" for row in log}
    assert {e["id"] for e in entries} == expected
    assert [e["updated"] for e in entries] == sorted((e["updated"] for e in entries), reverse=True)
    assert all(e["updated"].tzinfo is not None for e in entries)
    extension = next(e for e in entries if e["title"].startswith("Đã gia hạn"))
    assert "Chờ kết quả quan trắc" in extension["summary"] and "Hạn:" in extension["summary"]
    answer = next(e for e in entries if e["id"].endswith(f"{results['codes']['pavement']}#answer"))
    assert answer["link"] == f"{base}/q/{results['codes']['pavement']}"
    assert "Văn phòng HĐND và UBND phường" in answer["title"]
    assert_private_absent(response.text, results["private"])
    # the same ids on a second read: a feed reader sees nothing new
    again = entries_of(parse_feed((await demo_client.get(f"/conferences/{cid}/feed.atom")).content))
    assert [e["id"] for e in again] == [e["id"] for e in entries]


async def test_the_agency_feed_has_its_own_answers_and_commitments(results, demo_client, demo_db):
    base, vp, kt = demo_db.base_url.rstrip("/"), results["agencies"]["VP"], results["agencies"]["KT-HT-ĐT"]
    vp_entries = entries_of(parse_feed((await demo_client.get(f"/agencies/{vp}/feed.atom")).content))
    assert [e["id"] for e in vp_entries] == [f"{base}/q/{results['codes']['pavement']}#answer"]
    kt_root = parse_feed((await demo_client.get(f"/agencies/{kt}/feed.atom")).content)
    kt_ids = {e["id"] for e in entries_of(kt_root)}
    assert f"{base}/q/{results['codes']['drainage']}#answer" in kt_ids
    assert f"{base}/q/{results['codes']['pavement']}#answer" not in kt_ids
    assert sum(1 for i in kt_ids if "#log-" in i) == 11  # 4 recorded, 2 started, 2 notes, reported, verified, extended
    assert (await demo_client.get("/agencies/999999/feed.atom")).status_code == 404


async def test_a_commitments_public_page_shows_its_history(results, demo_client):
    cid = results["conference"]["id"]
    general = next(c for c in results["commitments"].values() if c["question"] is None)
    html = (await demo_client.get(f"/conferences/{cid}/commitments/{general['id']}")).text
    assert "Chờ kết quả quan trắc mùa mưa" in html  # the extension's public reason
    assert "Đã gia hạn thời hạn: từ ngày 29/12/2026 sang ngày 26/01/2027" in html
    assert_private_absent(html, results["private"])


def figure(html: str, key: str) -> tuple[str, int]:
    match = re.search(rf'id="figure-{key}" data-count="(\d+)">.*?class="figure__value">([^<]*)<', html, re.S)
    return unescape(match.group(2)), int(match.group(1))


async def test_the_agency_figures_are_recounted_from_its_lists(results, demo_client):
    kt = results["agencies"]["KT-HT-ĐT"]
    response = await demo_client.get(f"/agencies/{kt}")
    assert response.status_code == 200
    html = response.text
    answers = re.findall(r'class="answer-row" data-on-time="(\w+)"', html)
    waiting = re.findall(r'class="waiting-row" data-late="(\w+)"', html)
    commitments = re.findall(
        r'class="commitment-row" data-state="(\w+)" data-outcome="(\w*)" data-overdue="(\d+)" '
        r'data-extended="(\w+)"', html)
    # the lists: two answers (one on time, one late), the rubbish question late, four commitments
    assert sorted(answers) == ["no", "yes"] and waiting == ["yes"] and len(commitments) == 4
    due = sum(1 for a in answers if a != "none") + waiting.count("yes")
    on_time = answers.count("yes")
    assert figure(html, "on_time") == (f"{on_time}/{due} ({round(100 * on_time / due)} %)", due) == ("1/3 (33 %)", 3)
    verified = [c for c in commitments if c[1]]
    assert figure(html, "kept") == (f"{sum(1 for c in verified if c[1] == 'kept')}/{len(verified)}", len(verified))
    assert figure(html, "kept") == ("1/1", 1)
    assert figure(html, "not_kept") == ("0/1", 1)
    live = [c for c in commitments if c[0] in ("open", "in_progress", "extended", "disputed")]
    overdue = sum(1 for c in live if int(c[2]) > 0)
    assert figure(html, "overdue") == (f"{overdue}/{len(live)}", len(live)) == ("1/3", 3)
    assert figure(html, "extended") == (f"{sum(1 for c in commitments if c[3] == 'yes')}/4", 4) == ("1/4", 4)
    assert figure(html, "disputed") == ("0/4", 4)
    assert figure(html, "inspected") == ("0/0", 0)  # no inspection round in this fixture
    assert figure(html, "satisfaction") == ("Không hiển thị: ít hơn 5 lượt đánh giá", 0)
    assert html.count('class="figure__method"') == 9
    assert f'href="/agencies/{kt}/feed.atom"' in html
    assert_private_absent(html, results["private"])


async def test_an_answer_held_for_the_session_is_on_time_from_its_approval(results, demo_client):
    """The organisers may hold approved answers and publish them at the session: not the agency's delay."""
    kt = results["agencies"]["KT-HT-ĐT"]
    before = figure((await demo_client.get(f"/agencies/{kt}")).text, "on_time")
    await Answer.update({Answer.published_at: NOW + dt.timedelta(days=30)}).where(Answer.agency == kt)
    html = (await demo_client.get(f"/agencies/{kt}")).text
    assert figure(html, "on_time") == before == ("1/3 (33 %)", 3)


async def test_inspection_and_satisfaction_figures_of_the_demo(demo_db, demo_client):
    """The whole concluded demo: a closed surprise inspection (found done, partly, not done) and the
    askers' ratings (five of the economy office's, one of the ward office's)."""
    unit = (await Conference.select(Conference.unit).first())["unit"]
    await load_concluded_demo(unit, TODAY)
    await load_ratings_demo(unit, TODAY)
    await load_inspection_demo(unit, TODAY)
    agencies = {a["short_name"]: a["id"] for a in await Agency.select(Agency.id, Agency.short_name)}
    inspected_total = 0
    shown = set()
    for short_name in agencies:
        html = (await demo_client.get(f"/agencies/{agencies[short_name]}")).text
        findings = re.findall(r'class="finding-row" data-finding="(\w+)"', html)
        if 'id="figures"' not in html:  # an agency with nothing yet
            continue
        inspected_total += len(findings)
        assert figure(html, "inspected") == (f"{findings.count('done')}/{len(findings)}", len(findings))
        rows = await Rating.select(Rating.overall).where(Rating.agency == agencies[short_name])
        scores = [r["overall"] for r in rows]
        if len(scores) >= 5:
            average = f"{sum(scores) / len(scores):.1f}".replace(".", ",")
            assert figure(html, "satisfaction") == (f"{average} trên 5", len(scores))
            shown.add(short_name)
        else:
            assert figure(html, "satisfaction") == ("Không hiển thị: ít hơn 5 lượt đánh giá", len(scores))
    assert inspected_total == await InspectionItem.count().where(InspectionItem.finding.is_not_null()) == 3
    assert shown == {"KT-HT-ĐT"}  # the ward office's single rating is only counted


async def test_the_agency_list_and_an_agency_with_nothing_yet(results, demo_client):
    listing = (await demo_client.get("/agencies")).text
    for agency_id in results["agencies"].values():
        assert f"/agencies/{agency_id}" in listing
    assert "/agencies" in (await demo_client.get("/")).text  # linked from every page's footer
    police = (await demo_client.get(f"/agencies/{results['agencies']['CA']}")).text
    assert "Cơ quan này chưa có câu trả lời nào được công bố và chưa chủ trì cam kết nào." in police
    assert 'id="figures"' not in police
    for bad in ("/agencies/999999", "/agencies/0"):
        assert (await demo_client.get(bad)).status_code == 404
    assert (await demo_client.get("/agencies/abc")).status_code in (400, 404)


async def test_an_agency_of_another_unit_is_public_the_same_way(results, demo_client):
    other_unit = await AdminUnit.select(AdminUnit.id).where(AdminUnit.level == "commune").limit(2)
    unit = next(u["id"] for u in other_unit if u["id"] != results["conference"]["unit"])
    inserted = await Agency.insert(Agency(name="Phòng Văn hóa xã khác", short_name="VH-K", name_folded="phong van hoa",
                                          unit=unit)).returning(Agency.id)
    html = (await demo_client.get(f"/agencies/{inserted[0]['id']}")).text
    assert "Phòng Văn hóa xã khác" in html and 'id="figures"' not in html
    assert "/agencies/{}".format(inserted[0]["id"]) in (await demo_client.get("/agencies")).text


async def test_the_agency_page_in_english(results, demo_client):
    await demo_client.get("/language/en")
    html = (await demo_client.get(f"/agencies/{results['agencies']['KT-HT-ĐT']}")).text
    assert "Answers on time" in html and "Commitments kept" in html and "In figures" in html


async def test_many_questions_are_paged(results, demo_client):
    cid = results["conference"]["id"]
    template = await Question.select().where(Question.conference == cid).first()
    await Question.insert(*[Question(**{**{k: v for k, v in template.items() if k != "id"},
                                        "tracking_code": f"ZZZZZZZZZ{n:04d}", "form_token": f"paging-{n}",
                                        "title": f"Câu hỏi số {n}"}) for n in range(60)])
    first = await results_page(demo_client, cid)
    assert "Trang 1/3" in first
    third = await results_page(demo_client, cid, "?page=3")
    assert "Câu hỏi số 59" in third and "Câu hỏi số 0<" not in third
    rows = read_csv((await demo_client.get(f"/conferences/{cid}/results.csv")).content)
    assert len(rows) == 1 + 60 + 10  # the CSV has every row, not one page
    assert NOW  # the pinned clock: overdue is counted as of TODAY
