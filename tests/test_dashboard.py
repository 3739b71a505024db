"""The leaders' figures against a small data set whose every figure is worked out by hand below
(a holiday and a swapped Saturday in the month, an extended commitment, a dispute, a withdrawn
question, a returned assignment, a conference of another province, boundary days), on SQLite and
PostgreSQL; every drill-down list's count equals its figure; who may see which unit."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from dialogue.accountability import dashboard as board
from dialogue.accountability.scope import Period
from dialogue.accounts.tables import StaffUser
from dialogue.answers import facts
from dialogue.answers.drafting import answered
from dialogue.answers.tables import Answer, AnswerFact, AnswerMonth
from dialogue.commitments.tables import Commitment
from dialogue.conferences.tables import Conference
from dialogue.core.calendar import WorkingCalendar
from dialogue.inspections.tables import InspectionItem, InspectionRound
from dialogue.questions.tables import Assignment, Question
from dialogue.ratings.tables import Rating
from dialogue.reference.tables import AdminUnit, Agency, Holiday, Topic
from tests.conftest import sign_in
from tests.pinned import NOW, TODAY

NOVEMBER = Period.parse("2026-11", TODAY)
HOLIDAY = dt.date(2026, 11, 12)  # a Thursday off
SWAPPED = dt.date(2026, 11, 28)  # a Saturday worked
PASSWORD = "mat-khau-bang-dieu-khien-2026"
_serial = itertools.count(1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


async def unit(code: str, name: str, level: str, parent: int | None = None) -> int:
    row = await AdminUnit.insert(AdminUnit(code=code, name=name, name_folded=name.lower(), kind="xã", level=level,
                                           parent=parent)).returning(AdminUnit.id)
    return row[0]["id"]


async def agency(name: str, unit_id: int) -> int:
    return (await Agency.insert(Agency(name=name, short_name=name[:20], name_folded=name.lower(), unit=unit_id))
            .returning(Agency.id))[0]["id"]


async def conference(title: str, unit_id: int) -> int:
    return (await Conference.insert(Conference(title=title, title_folded=title.lower(), unit=unit_id,
                                               state="concluded")).returning(Conference.id))[0]["id"]


async def question(conference_id: int, unit_id: int, topic: int, *, created: str = "2026-11-02 03:00",
                   state: str = "assigned", due: str | None = None, kind: str = "resident") -> int:
    n = next(_serial)
    return (await Question.insert(Question(
        conference=conference_id, tracking_code=f"T{n:012d}", manage_token_hash=f"{n:064d}", form_token=f"f{n}",
        asker_kind=kind, asker_name="Người hỏi", unit=unit_id, topic=topic, title=f"Câu hỏi {n}", body="Nội dung",
        data_consent_at=utc(created), state=state, answer_due_on=d(due) if due else None, created_at=utc(created),
    )).returning(Question.id))[0]["id"]


async def routed(question_id: int, agency_id: int, *, answered_on: str | None = None, days: int | None = None,
                 active: bool = True) -> None:
    await Assignment.insert(Assignment(question=question_id, agency=agency_id, role="lead", active=active,
                                       assigned_at=utc("2026-11-02 03:00")))
    if answered_on:
        await Answer.insert(Answer(question=question_id, agency=agency_id, body="Trả lời", state="published",
                                   approved_at=utc(answered_on + " 03:00"), answered_on=d(answered_on),
                                   working_days=days))


async def commitment(conference_id: int, agency_id: int, due: str, state: str, outcome: str | None = None,
                     original: str | None = None) -> int:
    return (await Commitment.insert(Commitment(
        conference=conference_id, text=f"Cam kết {next(_serial)}", lead_agency=agency_id, due_on=d(due),
        original_due_on=d(original) if original else None, state=state, outcome=outcome,
    )).returning(Commitment.id))[0]["id"]


@pytest.fixture
async def data(db):
    """Province P with communes A and B; province Q with commune C. Agencies X and Y of A, Z of P,
    W of C. The figures each test expects are worked out by hand in the comments."""
    for day, kind in ((HOLIDAY, "holiday"), (SWAPPED, "workday")):
        await Holiday.delete().where(Holiday.day == day)
        await Holiday.insert(Holiday(day=day, kind=kind, name="Ngày thử"))
    p = await unit("T01", "Tỉnh Thử", "province")
    a = await unit("T01001", "Xã An", "commune", p)
    b = await unit("T01002", "Xã Bình", "commune", p)
    q = await unit("T02", "Tỉnh Khác", "province")
    c = await unit("T02001", "Xã Cát", "commune", q)
    x, y = await agency("Phòng Kinh tế xã An", a), await agency("Công an xã An", a)
    z, w = await agency("Sở Xây dựng tỉnh Thử", p), await agency("Phòng Kinh tế xã Cát", c)
    topic = (await Topic.insert(Topic(code="test-dat", name_vi="Đất đai", name_en="Land")).returning(Topic.id))[0]["id"]
    other_topic = (await Topic.insert(Topic(code="test-duong", name_vi="Đường sá", name_en="Roads"))
                   .returning(Topic.id))[0]["id"]
    ca, cb, cc = await conference("Hội nghị xã An", a), await conference("Hội nghị xã Bình", b), \
        await conference("Hội nghị xã Cát", c)

    # Answers due in November (A): X on time twice (one on its due day), late once, overdue once;
    # Y late once. Not counted: Y's due in December, a withdrawn one, a returned assignment, C's.
    ids = {}
    ids["q1"] = await question(ca, a, topic, due="2026-11-10")
    await routed(ids["q1"], x, answered_on="2026-11-09", days=3)
    ids["q2"] = await question(ca, a, topic, due="2026-11-10")
    await routed(ids["q2"], x, answered_on="2026-11-10", days=5)
    ids["q3"] = await question(ca, a, other_topic, due="2026-11-12", kind="business")
    await routed(ids["q3"], x, answered_on="2026-11-13", days=8)
    ids["q4"] = await question(ca, a, topic, due="2026-11-20")
    await routed(ids["q4"], x)
    ids["q5"] = await question(ca, a, topic, due="2026-11-30")
    await routed(ids["q5"], y, answered_on="2026-12-01", days=12)
    ids["q6"] = await question(ca, a, topic, due="2026-12-10")
    await routed(ids["q6"], y)
    await routed(await question(ca, a, topic, due="2026-11-15", state="withdrawn"), x)
    await routed(await question(ca, a, topic, due="2026-11-15", state="accepted"), x, active=False)
    await routed(await question(cc, c, topic, due="2026-11-10"), w)
    # Overdue since October: in the backlog, not in November's figures.
    ids["q11"] = await question(ca, a, topic, due="2026-10-30", created="2026-10-05 03:00")
    await routed(ids["q11"], x)
    # B's conference, answered by the province's agency Z on time.
    ids["q7"] = await question(cb, b, topic, due="2026-11-05")
    await routed(ids["q7"], z, answered_on="2026-11-04", days=2)
    # Received at the month's edges, local time (UTC+7): 00:30 on 1 November counts; 00:30 on 1 December does not.
    await question(ca, a, topic, state="submitted", created="2026-10-31 17:30")
    await question(ca, a, topic, state="submitted", created="2026-11-30 17:30")

    # Commitments due in November (A).
    m = {}
    m["kept"] = await commitment(ca, x, "2026-11-05", "verified", "kept")
    m["partly"] = await commitment(ca, x, "2026-11-06", "verified", "partly_kept")
    m["late"] = await commitment(ca, x, "2026-11-20", "in_progress")
    m["disputed"] = await commitment(ca, x, "2026-11-25", "disputed")
    m["extended"] = await commitment(ca, y, "2026-11-27", "extended", original="2026-11-10")
    m["reported"] = await commitment(ca, y, "2026-11-30", "reported_done")
    m["december"] = await commitment(ca, y, "2026-12-15", "open")
    m["cancelled"] = await commitment(ca, y, "2026-11-11", "cancelled")

    inspection = (await InspectionRound.insert(InspectionRound(
        unit=a, title="Kiểm tra đột xuất tháng 11", period_from=d("2026-10-01"), period_to=d("2026-10-31"),
        seed="1", state="closed")).returning(InspectionRound.id))[0]["id"]
    for commitment_id, finding, day in ((m["kept"], "done", "2026-11-20"), (m["partly"], "partly", "2026-11-21"),
                                         (m["disputed"], "not_done", "2026-11-22"), (m["late"], "done", "2026-10-30")):
        await InspectionItem.insert(InspectionItem(round=inspection, commitment=commitment_id, finding=finding,
                                                   visited_on=d(day)))
    for n, score in enumerate((5, 4, 4, 3, 5)):
        await Rating.insert(Rating(subject_key=f"x{n}", question=ids["q1"], subject="answer", agency=x,
                                   conference=ca, overall=score, created_at=utc("2026-11-20 03:00")))
    await Rating.insert(Rating(subject_key="y0", question=ids["q5"], subject="answer", agency=y, conference=ca,
                               overall=1, created_at=utc("2026-11-20 03:00")))
    await facts.rebuild()  # the rows above were written directly, not through the commands that keep the facts
    return {"units": {"P": p, "A": a, "B": b, "Q": q, "C": c}, "agencies": {"X": x, "Y": y, "Z": z, "W": w},
            "questions": ids, "commitments": m, "topic": topic}


async def scope_of(unit_id: int, period: Period = NOVEMBER):
    row = await AdminUnit.select(AdminUnit.id, AdminUnit.code, AdminUnit.name, AdminUnit.level) \
        .where(AdminUnit.id == unit_id).first()
    return await board.scope_for(row, period, TODAY)


def by_id(figures: board.Dashboard) -> dict[int, board.AgencyFigures]:
    return {f.id: f for f in figures.agencies}


async def test_answers_commitments_findings_and_satisfaction_of_a_commune(data):
    figures = await board.dashboard(await scope_of(data["units"]["A"]), rating_minimum=5)
    ag = by_id(figures)
    x, y = ag[data["agencies"]["X"]], ag[data["agencies"]["Y"]]
    assert x.answers == {"on_time": 2, "late": 1, "overdue": 1, "open": 0}
    assert x.answers_due == 4 and x.on_time_rate == 50.0 and x.median_days == 5.0
    assert y.answers == {"on_time": 0, "late": 1, "overdue": 0, "open": 0}
    assert y.on_time_rate == 0.0 and y.median_days == 12.0
    assert figures.total.answers == {"on_time": 2, "late": 2, "overdue": 1, "open": 0}
    assert figures.total.median_days == 6.5  # of 3, 5, 8, 12
    assert x.commitments == {**dict.fromkeys(board.measures.COMMITMENT_STATUSES, 0),
                             "kept": 1, "partly_kept": 1, "overdue": 1, "disputed": 1}
    assert y.commitments == {**dict.fromkeys(board.measures.COMMITMENT_STATUSES, 0),
                             "overdue": 1, "reported_done": 1, "cancelled": 1}
    assert x.kept_rate == 50.0
    assert x.findings == {"done": 1, "partly": 1, "not_done": 1}  # the October visit is not November's
    assert (x.ratings, x.satisfaction) == (5, 4.2)
    assert (y.ratings, y.satisfaction) == (1, None)  # one rating is never shown
    assert x.backlog == {"answers": 2, "commitments": 1} and y.backlog == {"answers": 0, "commitments": 1}
    assert data["agencies"]["W"] not in ag and data["agencies"]["Z"] not in ag
    assert [f.id for f in figures.agencies][:2] == [data["agencies"]["Y"], data["agencies"]["X"]]  # lowest first
    # Received in November, local time: q1–q6, q3 a business, the withdrawn and the returned, and 00:30 on 1 November.
    assert figures.received_total == 9
    kinds = {row["key"]: row["count"] for row in figures.received["asker_kind"]}
    assert kinds == {"resident": 8, "business": 1}
    trend = {m["month"]: m for m in x.trend}
    assert (trend["2026-10"]["due"], trend["2026-10"]["on_time"]) == (1, 0)
    assert (trend["2026-11"]["due"], trend["2026-11"]["rate"]) == (4, 50.0)


async def test_a_province_counts_its_communes_and_nothing_of_another_province(data):
    figures = await board.dashboard(await scope_of(data["units"]["P"]), rating_minimum=5)
    assert figures.total.answers == {"on_time": 3, "late": 2, "overdue": 1, "open": 0}
    assert figures.total.median_days == 5.0  # of 2, 3, 5, 8, 12
    assert data["agencies"]["Z"] in by_id(figures) and data["agencies"]["W"] not in by_id(figures)
    december = await board.dashboard(await scope_of(data["units"]["A"], Period.parse("2026-12", TODAY)))
    y = by_id(december)[data["agencies"]["Y"]]
    assert y.answers["open"] == 1 and y.commitments["in_progress"] == 1


async def test_overdue_working_days_count_the_swapped_saturday(data):
    found = await board.items(await scope_of(data["units"]["A"]), "answers", "overdue", None, None)
    assert [row["id"] for row in found.rows] == [data["questions"]["q4"]]
    # Due Friday 20 November; read Monday 7 December: 23–27 November, Saturday 28 (worked), 30 November,
    # 1–4 December and 7 December.
    assert found.rows[0]["overdue_days"] == 12


def test_an_answer_counts_working_days_from_routing_to_approval():
    calendar = WorkingCalendar(days_off=frozenset({HOLIDAY}), swapped_workdays=frozenset({SWAPPED}))
    lead = {"assigned_at": utc("2026-11-11 03:00")}  # Wednesday
    # Thursday 12 is a holiday: Friday 13 and Monday 16.
    assert answered(lead, utc("2026-11-16 03:00"), calendar) == {"answered_on": d("2026-11-16"), "working_days": 2}
    # An approval at 18:00 in Hà Nội on the 27th is 11:00 UTC: the local day counts; Saturday 28 is worked.
    assert answered(lead, utc("2026-11-28 11:00"), calendar)["answered_on"] == d("2026-11-28")
    assert answered(lead, utc("2026-11-28 11:00"), calendar)["working_days"] == 12


async def test_every_drill_down_list_counts_what_its_figure_says(data):
    for unit_key in ("A", "P"):
        scope = await scope_of(data["units"][unit_key])
        figures = await board.dashboard(scope, rating_minimum=5)
        for figure in [*figures.agencies, figures.total]:
            agency = figure.id
            for status, count in figure.answers.items():
                assert (await board.items(scope, "answers", status, agency, None)).total == count
            for status, count in figure.commitments.items():
                assert (await board.items(scope, "commitments", status, agency, None)).total == count
            for status, count in figure.findings.items():
                assert (await board.items(scope, "findings", status, agency, None)).total == count
            assert (await board.items(scope, "backlog_answers", None, agency, None)).total == figure.backlog["answers"]
            assert (await board.items(scope, "backlog_commitments", None, agency, None)).total \
                == figure.backlog["commitments"]
        assert (await board.items(scope, "received", None, None, None)).total == figures.received_total
        for by, rows in figures.received.items():
            for row in rows:
                assert (await board.items(scope, "received", by, None, str(row["key"]))).total == row["count"]


@pytest.mark.parametrize("figure,status", [("nothing", None), ("answers", "kept"), ("commitments", "on_time"),
                                           ("received", "colour")])
async def test_a_figure_that_does_not_exist_is_not_found(data, figure, status):
    from dialogue.core.errors import NotFound
    with pytest.raises(NotFound):
        await board.items(await scope_of(data["units"]["A"]), figure, status, None, None)


async def staff(email: str, role: str, unit_id: int | None = None, agency_id: int | None = None) -> None:
    from argon2 import PasswordHasher
    await StaffUser.insert(StaffUser(email=email, full_name="Cán bộ", password_hash=PasswordHasher().hash(PASSWORD),
                                     role=role, unit=unit_id, agency=agency_id))


async def test_a_leader_sees_only_their_units(data, client):
    units = data["units"]
    await staff("leader-a@test.vn", "viewer", units["A"])
    await staff("leader-p@test.vn", "viewer", units["P"])
    await staff("officer@test.vn", "agency_officer", agency_id=data["agencies"]["X"])
    await sign_in(client, "leader-a@test.vn", PASSWORD)
    page = await client.get(f"/dashboard/items?unit={units['A']}&period=2026-11&figure=answers&status=overdue")
    assert page.status_code == 200 and 'data-count="1"' in page.text
    for unit_id in (units["B"], units["P"], units["C"]):
        assert (await client.get(f"/dashboard/items?unit={unit_id}&figure=answers")).status_code == 404
    for address in ("/dashboard/items?unit=abc&figure=answers", "/dashboard/items?figure=%00",
                    "/dashboard/items?period=2026-13&figure=answers", "/dashboard/items?figure=answers&agency=-1",
                    "/dashboard/items?figure=answers&page=99999999999999999999"):
        assert (await client.get(address)).status_code in (200, 404), address
    client.cookies.clear()
    await sign_in(client, "leader-p@test.vn", PASSWORD)
    for unit_id in (units["A"], units["B"], units["P"]):
        page = await client.get(f"/dashboard/items?unit={unit_id}&figure=received")
        assert page.status_code == 200
    assert (await client.get(f"/dashboard/items?unit={units['C']}&figure=received")).status_code == 404
    client.cookies.clear()
    await sign_in(client, "officer@test.vn", PASSWORD)
    assert (await client.get("/dashboard/items?figure=received")).status_code == 403


async def test_the_dashboard_page_shows_each_figure_with_its_drill_down(data, client):
    units = data["units"]
    await staff("leader-a@test.vn", "viewer", units["A"])
    await sign_in(client, "leader-a@test.vn", PASSWORD)
    page = await client.get(f"/dashboard?unit={units['A']}&period=2026-11")
    assert page.status_code == 200
    assert "Phòng Kinh tế xã An" in page.text and "Công an xã An" in page.text
    # What is overdue is a question not yet answered, not an "answer"; the figures say so in Vietnamese.
    assert "Câu hỏi đến hạn trả lời trong kỳ" in page.text and "Đang quá hạn" in page.text
    backlog = await client.get(f"/dashboard/items?unit={units['A']}&period=2026-11&figure=backlog_answers")
    assert "Câu hỏi quá hạn chưa trả lời tính đến ngày" in backlog.text
    links = set(re.findall(r'href="(/dashboard/items\?[^"]+)"', page.text))
    assert len(links) > 20
    for link in sorted(links)[:60]:
        assert (await client.get(link.replace("&amp;", "&"))).status_code == 200, link
    english = await client.get(f"/dashboard?unit={units['A']}&period=2026-11", headers={"accept-language": "en"})
    assert english.status_code == 200
    assert (await client.get("/dashboard?period=1999-01")).status_code == 404


async def kept() -> tuple[list, list]:
    return (await AnswerFact.select(AnswerFact.question, AnswerFact.unit, AnswerFact.agency, AnswerFact.due_on,
                                    AnswerFact.answered_on, AnswerFact.working_days).order_by(AnswerFact.question),
            await AnswerMonth.select(AnswerMonth.key, AnswerMonth.due, AnswerMonth.on_time, AnswerMonth.late)
            .where((AnswerMonth.due != 0) | (AnswerMonth.on_time != 0) | (AnswerMonth.late != 0))
            .order_by(AnswerMonth.key))


async def test_the_facts_kept_by_the_commands_equal_a_rebuild(demo_db):
    """A month of the ward's work through the real commands (routing, returns, withdrawals, merges,
    answers approved, held and published), then one answer sent back by the organisers and one
    question re-routed: the facts and monthly sums kept along the way are what a rebuild computes."""
    from dialogue.answers import drafting
    from dialogue.demo import load_demo
    from dialogue.machine.actors import Actor
    from dialogue.questions import routing

    await load_demo(TODAY, lively=True)
    organiser = Actor.staff(await StaffUser.select().where(StaffUser.email == "organiser@dongda.demo").first())
    held = await Answer.select(Answer.question).where(Answer.state == "approved").first()
    if held:
        await drafting.organiser_return(organiser, held["question"], "Bổ sung căn cứ pháp lý.", NOW)
    routed = await Question.select(Question.id, Question.unit).where(Question.state == "assigned").first()
    other = await Agency.select(Agency.id).where(Agency.short_name == "VP").first()
    unit = (await Conference.select(Conference.unit).first())["unit"]
    scope = await scope_of(unit, Period.parse("2026", TODAY))
    before = await board.dashboard(scope)
    assert await board.dashboard(scope) is before  # nothing logged since: the figures as computed
    await routing.assign(organiser, routed["id"], {"lead_agency": str(other["id"])}, NOW, "https://x.test")
    after = await board.dashboard(scope)  # the re-routing is logged: computed again, the question now VP's
    vp = {f.id: f for f in after.agencies}[other["id"]]
    vp_before = {f.id: f for f in before.agencies}.get(other["id"])
    assert sum(vp.answers.values()) == (sum(vp_before.answers.values()) if vp_before else 0) + 1
    during = await kept()
    assert during[0] and during[1]
    await facts.rebuild()
    assert await kept() == during


HOSTILE = (
    "/dashboard?unit=99999999999999999999&period=2026-Q5", "/dashboard?unit=-1", "/dashboard?unit=%EF%BC%91",
    "/dashboard?unit=1%002", "/dashboard?period=2026-Q0", "/dashboard?period=%00", "/dashboard?all=1&all=0",
    "/dashboard/items?figure=answers&page=100000", "/dashboard/items?figure=answers&page=-3",
    "/dashboard/items?figure=answers&page=2&page=99999999999999999999", "/dashboard/items?figure=%00",
    "/dashboard/items?figure=received&status=area&key=abc", "/dashboard/items?figure=received&status=topic&key=-1",
    "/dashboard/items?figure=received&status=asker_kind&key=%00",
    "/dashboard/items?figure=received&status=asker_kind&key=resident%00",
    "/dashboard/items?figure=received&status=asker_kind&key=" + "%C3%BC" * 40,
    "/dashboard/items?figure=answers&status=on_time&key=%00", "/dashboard/items?figure=commitments&status=%00",
    "/dashboard/items?figure=backlog_answers&agency=%00", "/dashboard/items?figure=answers&agency=9223372036854775808",
    "/dashboard/report?month=2026-Q5", "/dashboard/report?month=2026-11%00", "/dashboard/report?format=%00",
    "/dashboard/report?month=2026-10&format=HTML", "/dashboard/report?month=9999-99&format=csv",
)


async def test_no_address_of_any_shape_breaks_the_dashboard(data, client):
    """Whatever a leader, organiser or admin types after ?, a page or a refusal; never a server error
    (PostgreSQL refuses text with a NUL: none may reach it)."""
    units, agencies = data["units"], data["agencies"]
    await staff("leader-a@test.vn", "viewer", units["A"])
    await staff("organiser-a@test.vn", "organiser", units["A"])
    await staff("admin@test.vn", "admin")
    await staff("officer@test.vn", "agency_officer", agency_id=agencies["X"])
    of_others = [f"/dashboard/items?figure={figure}&agency={agencies[name]}"
                 for figure in ("answers", "commitments", "findings", "backlog_commitments") for name in ("W", "Z")]
    by_status = [f"/dashboard/items?figure=received&status={by}&key={key}"
                 for by in ("topic", "area", "asker_kind") for key in ("", "abc", "99999999999999999999", "resident")]
    for email in ("leader-a@test.vn", "organiser-a@test.vn", "admin@test.vn"):
        client.cookies.clear()
        await sign_in(client, email, PASSWORD)
        for address in (*HOSTILE, *of_others, *by_status):
            response = await client.get(address)
            assert response.status_code in (200, 400, 404), (email, address, response.status_code)
    printable = await client.get("/dashboard/report?month=2026-10&format=HTML")
    assert printable.status_code == 200 and "content-disposition" not in printable.headers  # opens like html
    client.cookies.clear()
    await sign_in(client, "officer@test.vn", PASSWORD)
    for address in HOSTILE[:3] + HOSTILE[-3:]:
        assert (await client.get(address)).status_code == 403, address


async def fact_of(question_id: int) -> dict | None:
    return await AnswerFact.select(AnswerFact.agency, AnswerFact.due_on, AnswerFact.answered_on) \
        .where(AnswerFact.question == question_id).first()


async def test_merges_returns_and_answers_sent_back_move_the_facts_as_a_rebuild_would(demo_db):
    """Through the real commands: a question merged after routing leaves the figures; one the agency
    returns and the organisers route elsewhere counts for the new agency only; an answer the
    organisers send back is no longer counted as given, and counts as late when approved again after
    its due date. After each step the kept facts and sums are what a rebuild computes."""
    from dialogue.answers import drafting
    from dialogue.demo import load_demo
    from dialogue.machine.actors import Actor
    from dialogue.questions import intake, routing, screening

    async def actor(email: str) -> Actor:
        return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())

    async def same_as_a_rebuild() -> None:
        during = await kept()
        await facts.rebuild()
        assert await kept() == during

    await load_demo(TODAY)
    await Conference.update({Conference.release_policy: "at_session"}).where(Conference.id > 0)  # held answers
    organiser, officer, head = (await actor("organiser@dongda.demo"), await actor("officer@dongda.demo"),
                                await actor("head@dongda.demo"))
    police, police_head = await actor("police@dongda.demo"), await actor("head.ca@dongda.demo")
    kt = (await Agency.select(Agency.id).where(Agency.short_name == "KT-HT-ĐT").first())["id"]
    ca = (await Agency.select(Agency.id).where(Agency.short_name == "CA").first())["id"]
    conference_id = (await Question.select(Question.conference).where(Question.state == "submitted").first())[
        "conference"]
    returned, merged, sent_back = [row["id"] for row in await Question.select(Question.id).where(
        (Question.conference == conference_id) & (Question.state == "submitted")).order_by(Question.id).limit(3)]
    text = {"body": "Phường đã đưa việc này vào kế hoạch quý I/2027.", "legal_basis": ""}
    for question_id in (returned, merged, sent_back):
        await screening.decide(organiser, question_id, "accept", {}, NOW, "https://x.test")
        await routing.assign(organiser, question_id, {"lead_agency": str(kt)}, NOW, "https://x.test")
    due = (await fact_of(returned))["due_on"]
    assert due > TODAY and [(await fact_of(q))["agency"] for q in (returned, merged, sent_back)] == [kt, kt, kt]
    await same_as_a_rebuild()

    main = await Question.select(Question.tracking_code).where(Question.id == sent_back).first()
    await screening.merge(organiser, merged, intake.display_code(main["tracking_code"]), "", NOW, "https://x.test")
    assert await fact_of(merged) is None
    await same_as_a_rebuild()

    await routing.return_to_organisers(officer, returned, "Việc này do Công an phường giải quyết.", NOW,
                                       "https://x.test")
    assert await fact_of(returned) is None
    await routing.assign(organiser, returned, {"lead_agency": str(ca)}, NOW, "https://x.test")
    await drafting.save_draft(police, returned, text, NOW)
    await drafting.submit(police, returned, NOW)
    await drafting.review(police_head, returned, "approve", "", NOW, "https://x.test")
    assert await fact_of(returned) == {"agency": ca, "due_on": due, "answered_on": TODAY}
    await same_as_a_rebuild()

    await drafting.save_draft(officer, sent_back, text, NOW)
    await drafting.submit(officer, sent_back, NOW)
    await drafting.review(head, sent_back, "approve", "", NOW, "https://x.test")
    assert (await fact_of(sent_back))["answered_on"] == TODAY
    await drafting.organiser_return(organiser, sent_back, "Bổ sung thời gian hoàn thành.", NOW)
    assert (await fact_of(sent_back))["answered_on"] is None
    await same_as_a_rebuild()
    later = NOW + dt.timedelta(days=30)  # past the due date
    await drafting.submit(officer, sent_back, later)
    await drafting.review(head, sent_back, "approve", "", later, "https://x.test")
    assert (await fact_of(sent_back))["answered_on"] == later.date()
    await same_as_a_rebuild()

    unit_id = (await Conference.select(Conference.unit).where(Conference.id == conference_id).first())["unit"]
    row = await AdminUnit.select(AdminUnit.id, AdminUnit.code, AdminUnit.name, AdminUnit.level) \
        .where(AdminUnit.id == unit_id).first()
    scope = await board.scope_for(row, Period.month(due), later.date())
    figures = by_id(await board.dashboard(scope))
    assert figures[ca].answers["on_time"] == 1 and figures[kt].answers["late"] == 1
    assert figures[kt].answers_due == 1  # the merged question and the returned one are not the office's


async def test_an_agency_that_does_not_serve_the_unit_is_not_found(data, client):
    units, agencies = data["units"], data["agencies"]
    await staff("leader-a@test.vn", "viewer", units["A"])
    await sign_in(client, "leader-a@test.vn", PASSWORD)
    base = f"/dashboard/items?unit={units['A']}&period=2026-11&figure=answers&agency="
    assert (await client.get(base + str(agencies["W"]))).status_code == 404  # another province's commune
    assert (await client.get(base + str(agencies["Z"]))).status_code == 200  # the province's own serves A
    assert (await client.get(base + str(agencies["X"]))).status_code == 200
