"""Surprise re-inspection rounds: the seeded draw (reproducible, never outside the round's unit, period
and states), chosen items, who may plan, see and record what (per role and unit; agencies never see
an unclosed round), a "not done" disputing the commitment, the frozen report (page and Word file),
the commitments' public timelines, the agencies' results, the demo's round, and the pages' answers
to bad input."""

import datetime as dt
import io
import random

import pytest
from docx import Document

from dialogue.accounts.tables import StaffUser
from dialogue.commitments import followup
from dialogue.commitments.tables import Commitment
from dialogue.conferences.tables import Conference
from dialogue.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from dialogue.demo.concluded import load_concluded_demo
from dialogue.demo.inspections import ROUND_TITLE, load_inspection_demo
from dialogue.inspections import queries, rounds
from dialogue.inspections.tables import InspectionItem, InspectionRound
from dialogue.machine.actors import Actor
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.reference.tables import AdminUnit, Agency
from tests.conftest import DEMO_ACCOUNTS, csrf_token_from, post_form, sign_in
from tests.pinned import NOW, TODAY

BASE = "https://doithoai.example.vn"
LATER = NOW + dt.timedelta(hours=1)


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


@pytest.fixture
async def followed(demo_db):
    """The demo's concluded conference with its three weeks of follow-up (the street lights reported
    done and verified, the rest still to do), and the ward's staff."""
    unit = (await Conference.select(Conference.unit).first())["unit"]
    await load_concluded_demo(unit, TODAY)
    conference = await Conference.select().where(Conference.state == "concluded").first()
    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    return {
        "unit": unit, "conference": conference,
        "commitments": await Commitment.select().where(Commitment.conference == conference["id"])
        .order_by(Commitment.id),
        "agencies": {a["short_name"]: a["id"] for a in await Agency.select(Agency.id, Agency.short_name)},
        "organiser": await actor(DEMO_ACCOUNTS["organiser"]), "inspector": await actor(DEMO_ACCOUNTS["inspector"]),
        "viewer": await actor(DEMO_ACCOUNTS["viewer"]), "admin": await actor(DEMO_ACCOUNTS["admin"]),
        "officer": officer, "head": await actor(DEMO_ACCOUNTS["agency_head"]),
        "elsewhere": Actor(kind="staff", staff_id=officer.staff_id, role="organiser", unit_id=unit + 1000),
        "inspector_elsewhere": Actor(kind="staff", staff_id=officer.staff_id, role="inspector", unit_id=unit + 1000),
    }


async def reported(followed, n: int) -> list[int]:
    """n more commitments of the conference, reported done by the lead agency (the economy office) at NOW."""
    ids = []
    question = next(c["question"] for c in followed["commitments"] if c["question"] is not None)
    for i in range(n):
        cid = await followup.record_by_organiser(followed["organiser"], followed["conference"], question, {
            "commitment_text": f"Việc số {i + 1} đã hứa", "lead_agency": str(followed["agencies"]["KT-HT-ĐT"]),
            "due_on": "31/12/2026"}, NOW)
        await followup.report_done(followed["head"], cid, {"summary": f"Đã làm xong việc số {i + 1}."}, NOW, BASE)
        ids.append(cid)
    return ids


def lights(followed) -> dict:
    return next(c for c in followed["commitments"] if "bốn cột đèn" in c["text"])


def period(**extra) -> dict:
    return {"period_from": "01/11/2026", "period_to": TODAY.strftime("%d/%m/%Y"), **extra}


async def items_of(round_id: int) -> list[dict]:
    return await InspectionItem.select().where(InspectionItem.round == round_id).order_by(InspectionItem.commitment)


# --- The draw ---------------------------------------------------------------------------------------------------

def test_the_draw_is_reproducible_from_its_seed_and_stays_in_the_population():
    population = list(range(3, 300, 7))
    first = rounds.draw(population, "20261207", 10)
    assert first == rounds.draw(population, "20261207", 10) == rounds.draw(list(reversed(population)), "20261207", 10)
    assert len(set(first)) == 10 and set(first) <= set(population) and first == sorted(first)
    assert any(rounds.draw(population, str(seed), 10) != first for seed in range(1, 5))
    for seed in range(200):  # never anything else, never more than there is
        assert set(rounds.draw(population, str(seed), 5)) <= set(population)
    assert rounds.draw([4, 8], "1", 5) == [4, 8]
    assert rounds.sample_count(43, None, 10) == 5 and rounds.sample_count(3, None, 1) == 1
    assert rounds.sample_count(43, 7, None) == 7


async def test_a_round_draws_from_the_units_commitments_reported_done_in_the_period(followed):
    extra = await reported(followed, 5)
    population = [lights(followed)["id"], *extra]
    assert await rounds.population(followed["unit"], dt.date(2026, 11, 1), TODAY) == sorted(population)
    # the lights were reported done on 25 November; the others today
    assert await rounds.population(followed["unit"], dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == \
        [lights(followed)["id"]]
    assert await rounds.population(followed["unit"], TODAY, TODAY) == extra
    # a commitment reported done in another ward, and one reported and then reopened, are never drawn
    other_unit = (await AdminUnit.select(AdminUnit.id).where(
        (AdminUnit.id != followed["unit"]) & (AdminUnit.level == "commune")).first())["id"]
    conference = {**followed["conference"]}
    for key in ("id",):
        conference.pop(key)
    other = (await Conference.insert(Conference(**{**conference, "unit": other_unit})).returning(Conference.id))[0]
    outsider = (await Commitment.insert(Commitment(
        conference=other["id"], text="Việc của phường khác", lead_agency=followed["agencies"]["VP"],
        due_on=TODAY, state="reported_done")).returning(Commitment.id))[0]["id"]
    await ActionLog.insert(ActionLog(at=NOW, actor_kind="system", action="commitment_report_done",
                                     object_type="commitment", object_id=str(outsider)))
    await followup.dispute(followed["organiser"], extra[0], {"reason": "Chưa làm."}, LATER, BASE)
    assert await rounds.population(followed["unit"], dt.date(2026, 11, 1), TODAY) == sorted(population[:1] + extra[1:])
    for seed in range(25):
        round_id = await rounds.plan(followed["inspector"], period(sample_size="3", seed=str(seed)), NOW)
        drawn = [i["commitment"] for i in await items_of(round_id)]
        assert len(drawn) == 3 and set(drawn) <= set(population[:1] + extra[1:])
        row = await InspectionRound.select().where(InspectionRound.id == round_id).first()
        assert row["seed"] == str(seed) and row["population_size"] == 5 and row["state"] == "planned"
        assert drawn == rounds.draw(population[:1] + extra[1:], str(seed), 3)  # redone from the recorded seed


async def test_a_round_records_a_new_seed_and_adds_chosen_items_from_the_population_only(followed):
    extra = await reported(followed, 4)
    round_id = await rounds.plan(followed["inspector"], period(sample_percent="20", chosen=f" {extra[3]}; "), NOW)
    row = await InspectionRound.select().where(InspectionRound.id == round_id).first()
    assert row["seed"].isdigit() and row["sample_percent"] == 20
    items = await items_of(round_id)
    drawn = [i["commitment"] for i in items if i["how"] == "drawn"]
    assert drawn == rounds.draw([lights(followed)["id"], *extra], row["seed"], 1)  # 20 % of 5
    assert extra[3] in [i["commitment"] for i in items]
    outside = next(c["id"] for c in followed["commitments"] if c["state"] != "verified")
    with pytest.raises(InvalidInput) as error:
        await rounds.plan(followed["inspector"], period(sample_size="1", chosen=f"{extra[0]},{outside}"), NOW)
    assert str(outside) in error.value.errors["chosen"] and str(extra[0]) not in error.value.errors["chosen"]
    for form, field in (
        (period(sample_size="0"), "sample_size"), (period(sample_size="9999999999"), "sample_size"),
        (period(sample_size="6"), "sample_size"),  # more than the five reported done
        (period(sample_percent="0"), "sample_percent"), (period(sample_percent="150"), "sample_percent"),
        (period(), "sample_size"), (period(sample_size="2", sample_percent="10"), "sample_size"),
        (period(sample_size="2", chosen="abc"), "chosen"), (period(sample_size="2", seed="-1"), "seed"),
        ({"period_from": "31/02/2026", "period_to": "hôm qua", "sample_size": "1"}, "period_from"),
        (period(sample_size="1", period_to="31/12/2027"), "period_to"),
        ({"period_from": "07/12/2026", "period_to": "01/12/2026", "sample_size": "1"}, "period_to"),
        ({"period_from": "01/01/2025", "period_to": "31/01/2025", "sample_size": "1"}, "period_to"),  # none then
    ):
        with pytest.raises(InvalidInput) as error:
            await rounds.plan(followed["inspector"], form, NOW)
        assert field in error.value.errors, (form, error.value.errors)
    assert await InspectionRound.count() == 1


# --- Who may do what --------------------------------------------------------------------------------------------

async def test_only_the_units_inspectors_organisers_and_admins_plan_see_and_record(followed, demo_client):
    await reported(followed, 2)
    for name in ("officer", "head", "viewer"):
        with pytest.raises(Forbidden):
            await rounds.plan(followed[name], period(sample_size="1"), NOW)
    for name in ("elsewhere", "inspector_elsewhere"):  # their round is over their own ward: nothing of ours
        with pytest.raises(InvalidInput) as error:
            await rounds.plan(followed[name], period(sample_size="1", chosen=str(lights(followed)["id"])), NOW)
        assert "period_to" in error.value.errors
    with pytest.raises(InvalidInput):  # an admin names the unit
        await rounds.plan(followed["admin"], period(sample_size="1"), NOW)
    code = (await AdminUnit.select(AdminUnit.code).where(AdminUnit.id == followed["unit"]).first())["code"]
    by_admin = await rounds.plan(followed["admin"], period(sample_size="1", unit=code), NOW)
    by_organiser = await rounds.plan(followed["organiser"], period(sample_size="1"), NOW)
    round_id = await rounds.plan(followed["inspector"], period(sample_size="2"), NOW)
    for name in ("organiser", "inspector", "admin"):
        assert (await queries.staff_round(followed[name], round_id))[0]["id"] == round_id
        assert {r["id"] for r in await queries.rounds_for(followed[name])} == {by_admin, by_organiser, round_id}
    item = (await items_of(round_id))[0]
    finding = {"finding": "done", "visited_on": TODAY.strftime("%d/%m/%Y")}
    for name in ("officer", "head", "viewer", "elsewhere", "inspector_elsewhere"):
        assert await queries.rounds_for(followed[name]) == []
        with pytest.raises(NotFound):  # an unclosed round does not exist for them
            await queries.staff_round(followed[name], round_id)
        with pytest.raises(NotFound):
            await rounds.record_finding(followed[name], round_id, item["id"], finding, NOW)
        with pytest.raises(NotFound):
            await rounds.close(followed[name], round_id, NOW, BASE)
    with pytest.raises(NotFound):
        await queries.public_round(round_id)
    await rounds.record_finding(followed["organiser"], round_id, item["id"], finding, NOW)
    # the agencies' pages: nothing of the round
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
    assert (await demo_client.get(f"/inspection-rounds/{round_id}")).status_code == 403
    assert (await demo_client.get("/inspection-rounds/")).status_code == 403
    page = (await demo_client.get(f"/commitments/{item['commitment']}")).text
    assert "inspection" not in page.casefold() and "kiểm tra đột xuất" not in page.casefold()
    assert (await demo_client.get(f"/inspections/{round_id}")).status_code == 404
    assert not await OutboxMessage.count().where(OutboxMessage.to_address.is_in(
        [a["email"] for a in await Agency.select(Agency.email)] + list(DEMO_ACCOUNTS.values())))


async def test_closing_disputes_what_was_found_not_done_and_publishes_the_report(followed, demo_client):
    extra = await reported(followed, 2)
    inspector = followed["inspector"]
    chosen = ",".join(str(c) for c in [lights(followed)["id"], *extra])
    round_id = await rounds.plan(inspector, period(sample_size="1", chosen=chosen), NOW)
    items = {i["commitment"]: i for i in await items_of(round_id)}
    assert len(items) == 3
    day = TODAY.strftime("%d/%m/%Y")
    with pytest.raises(InvalidInput) as error:
        await rounds.record_finding(inspector, round_id, items[extra[0]]["id"],
                                    {"finding": "not_done", "visited_on": "08/12/2026"}, NOW)
    assert set(error.value.errors) == {"findings", "visited_on"}  # no findings; a visit in the future
    with pytest.raises(InvalidInput) as error:  # it will be the dispute's reason, which has its own limit
        await rounds.record_finding(inspector, round_id, items[extra[0]]["id"],
                                    {"finding": "not_done", "findings": "x" * 1001, "visited_on": day}, NOW)
    assert set(error.value.errors) == {"findings"}
    with pytest.raises(InvalidInput):
        await rounds.close(inspector, round_id, NOW, BASE)  # no visit yet
    mails_before = await OutboxMessage.count()
    await rounds.record_finding(inspector, round_id, items[lights(followed)["id"]]["id"], {
        "finding": "done", "visited_on": day}, NOW)
    await rounds.record_finding(inspector, round_id, items[lights(followed)["id"]]["id"], {  # corrected
        "finding": "not_done", "findings": "Hai cột đèn vẫn tắt.", "visited_on": day}, NOW)
    lit = await Commitment.select().where(Commitment.id == lights(followed)["id"]).first()
    assert lit["state"] == "verified"  # disputed only when the round is closed
    assert (await InspectionRound.select().where(InspectionRound.id == round_id).first())["state"] == "in_progress"
    await rounds.record_finding(inspector, round_id, items[extra[0]]["id"],
                                {"finding": "done", "visited_on": day}, NOW)
    await rounds.record_finding(inspector, round_id, items[extra[0]]["id"],  # corrected before closing
                                {"finding": "partly", "findings": "Mới làm một nửa.", "visited_on": day}, NOW)
    # evidence: a photo loses its metadata; nothing public before the round closes
    from tests.test_commitments import GPS, jpeg_with_exif

    file_id = await rounds.attach_evidence(inspector, round_id, items[extra[1]]["id"], "ảnh.jpg", jpeg_with_exif(), NOW)
    with pytest.raises(InvalidInput):
        await rounds.attach_evidence(inspector, round_id, items[extra[1]]["id"], "x.exe", b"MZ\x90", NOW)
    assert (await demo_client.get(f"/inspections/files/{file_id}")).status_code == 404
    await rounds.record_finding(inspector, round_id, items[extra[1]]["id"], {
        "finding": "done", "findings": "Đã hoàn thành.", "visited_on": day}, NOW)
    timeline_before = await ActionLog.count().where(ActionLog.action.like("commitment_inspected%"))
    assert timeline_before == 0  # done and partly wait for the close
    assert await OutboxMessage.count() == mails_before
    await rounds.close(inspector, round_id, LATER, BASE)
    lit = await Commitment.select().where(Commitment.id == lights(followed)["id"]).first()
    assert (lit["state"], lit["outcome"]) == ("disputed", None)
    dispute = await ActionLog.select().where((ActionLog.action == "commitment_dispute")
                                             & (ActionLog.object_id == str(lit["id"]))).first()
    assert dispute["reason"] == "Hai cột đèn vẫn tắt." and dispute["actor"] == inspector.staff_id
    assert await OutboxMessage.count() == mails_before + 1  # the asker, told why
    with pytest.raises(Conflict):
        await rounds.record_finding(inspector, round_id, items[extra[1]]["id"],
                                    {"finding": "partly", "findings": "x", "visited_on": day}, LATER)
    assert sorted(r["action"] for r in await ActionLog.select(ActionLog.action).where(
        ActionLog.action.like("commitment_inspected%"))) == [
        "commitment_inspected_done", "commitment_inspected_not_done", "commitment_inspected_partly"]
    # the public report, its Word file and the evidence
    page = await demo_client.get(f"/inspections/{round_id}")
    assert page.status_code == 200
    for text in ("Hai cột đèn vẫn tắt.", "Mới làm một nửa.", "ảnh.jpg", lit["text"], "Kinh tế"):
        assert text in page.text
    staff_names = [row["full_name"] for row in await StaffUser.select(StaffUser.full_name)]
    assert not [name for name in staff_names if name in page.text]
    docx = await demo_client.get(f"/inspections/{round_id}/report.docx")
    assert docx.status_code == 200 and docx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    document = Document(io.BytesIO(docx.content))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [cell.text for table in document.tables for row in table.rows for cell in row.cells])
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO", "Hai cột đèn vẫn tắt.", "Mới làm một nửa.",
                  "Chưa thực hiện", "Thực hiện một phần", "Đã thực hiện",
                  (await InspectionRound.select().where(InspectionRound.id == round_id).first())["seed"]):
        assert words in text, words
    assert document.styles["Normal"].font.name == "Times New Roman"
    evidence = await demo_client.get(f"/inspections/files/{file_id}")
    assert evidence.status_code == 200 and GPS not in evidence.content
    # the commitment's public timeline and the conference page
    conference = (await demo_client.get(f"/conferences/{followed['conference']['id']}")).text
    assert f"/inspections/{round_id}" in conference
    # each finding on the commitment's public timeline, with its visit's day and a link to the report
    follow_up = (await demo_client.get(f"/conferences/{lit['conference']}/commitments/{lit['id']}")).text
    assert (f"Kiểm tra đột xuất: chưa thực hiện (kiểm tra ngày {day}) — Hai cột đèn vẫn tắt. — "
            f'<a href="/inspections/{round_id}">Báo cáo kiểm tra đột xuất</a>') in follow_up
    from dialogue.questions.tables import Question

    code = (await Question.select(Question.tracking_code).where(Question.id == lit["question"]).first())[
        "tracking_code"]
    track = (await demo_client.get(f"/q/{code[:4]}-{code[4:8]}-{code[8:]}")).text
    assert "Kiểm tra đột xuất: chưa thực hiện" in track and "Hai cột đèn vẫn tắt." in track
    # the agencies' results, closed rounds only
    economy = followed["agencies"]["KT-HT-ĐT"]
    assert await queries.results_by_agency() == {economy: {"inspected": 3, "done": 1, "partly": 1, "not_done": 1}}
    assert await queries.results_by_agency([followed["agencies"]["CA"]]) == {}
    await rounds.plan(inspector, period(sample_size="1"), LATER)  # open: it does not count
    assert (await queries.results_by_agency([economy]))[economy]["inspected"] == 3


async def test_a_not_done_finding_reaches_nobody_before_the_round_is_closed(followed, demo_client):
    """Not the agency's staff, the public page, the feed or the asker: they would warn the agencies
    still to be visited. The close disputes the commitment, in its own transaction, and tells the asker once."""
    lit = lights(followed)
    inspector, conference_id = followed["inspector"], followed["conference"]["id"]
    round_id = await rounds.plan(inspector, period(sample_size="1", chosen=str(lit["id"])), NOW)
    items = {i["commitment"]: i for i in await items_of(round_id)}
    mails_before = await OutboxMessage.count()
    findings = "Hai cột đèn vẫn tắt khi kiểm tra đột xuất."
    day = TODAY.strftime("%d/%m/%Y")
    for commitment_id, item in items.items():
        finding = {"finding": "not_done", "findings": findings} if commitment_id == lit["id"] else {"finding": "done"}
        await rounds.record_finding(inspector, round_id, item["id"], {**finding, "visited_on": day}, NOW)

    async def seen() -> list[str]:
        await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
        staff = await demo_client.get(f"/commitments/{lit['id']}")
        assert staff.status_code == 200
        demo_client.cookies.clear()  # signed out: the public's view
        public = await demo_client.get(f"/conferences/{conference_id}/commitments/{lit['id']}")
        feed = await demo_client.get(f"/conferences/{conference_id}/feed.atom")
        assert public.status_code == feed.status_code == 200
        return [staff.text, public.text, feed.text]

    for text in await seen():
        assert findings not in text
    assert (await Commitment.select().where(Commitment.id == lit["id"]).first())["state"] == "verified"
    assert await OutboxMessage.count() == mails_before
    assert not await ActionLog.exists().where((ActionLog.object_type == "commitment")
                                              & (ActionLog.object_id == str(lit["id"])) & (ActionLog.at >= NOW))

    await rounds.close(inspector, round_id, LATER, BASE)
    assert (await Commitment.select().where(Commitment.id == lit["id"]).first())["state"] == "disputed"
    for text in await seen():
        assert findings in text
    told = await OutboxMessage.select().where(OutboxMessage.id > 0).order_by(OutboxMessage.id)
    new = told[mails_before:]
    assert [m["kind"] for m in new] == ["commitment_update"] and findings in new[0]["text_body"]


async def test_evidence_moves_the_round_on_so_an_earlier_close_fails(followed):
    """A close prepared before a file was attached would freeze a report without it: it must fail."""
    from dialogue.inspections.machine import ROUND
    from dialogue.machine.transitions import transition
    from dialogue.reference.units import unit_path
    from tests.test_commitments import jpeg_with_exif

    await reported(followed, 1)
    inspector = followed["inspector"]
    round_id = await rounds.plan(inspector, period(sample_size="1"), NOW)
    item = (await items_of(round_id))[0]
    await rounds.record_finding(inspector, round_id, item["id"], {
        "finding": "done", "visited_on": TODAY.strftime("%d/%m/%Y")}, NOW)
    prepared = await rounds.get_round(round_id)  # what close() read before its transaction
    await rounds.attach_evidence(inspector, round_id, item["id"], "ảnh.jpg", jpeg_with_exif(), NOW)
    assert (await rounds.get_round(round_id))["version"] == prepared["version"] + 1
    with pytest.raises(Conflict):
        await transition(ROUND, inspector, prepared, "close", now=LATER, permission="inspect",
                         scope=rounds.ObjectScope(unit_path=await unit_path(prepared["unit"])),
                         updates={"version": prepared["version"] + 1}, expect={"version": prepared["version"]})
    await rounds.close(inspector, round_id, LATER, BASE)
    with pytest.raises(Conflict):
        await rounds.attach_evidence(inspector, round_id, item["id"], "ảnh.jpg", jpeg_with_exif(), LATER)


async def test_the_default_title_is_written_in_the_units_language(followed):
    """Stored data, shown as it is: a planner reading English still gets the ward's Vietnamese title."""
    from dialogue.core.i18n import language

    await reported(followed, 1)
    with language("en"):
        round_id = await rounds.plan(followed["inspector"], period(sample_size="1"), NOW)
    title = (await rounds.get_round(round_id))["title"]
    assert title == f"Kiểm tra đột xuất việc thực hiện cam kết từ 01/11/2026 đến {TODAY:%d/%m/%Y}"


# --- The demo and the pages -------------------------------------------------------------------------------------

async def test_the_demo_has_a_closed_round_with_every_kind_of_finding(followed, demo_client):
    assert await load_inspection_demo(followed["unit"], TODAY) == 1
    assert await load_inspection_demo(followed["unit"], TODAY) == 0
    row = await InspectionRound.select().where(InspectionRound.title == ROUND_TITLE).first()
    assert row["state"] == "closed" and row["report_docx"][:2] == b"PK"
    items = await items_of(row["id"])
    assert {"done", "partly", "not_done"} <= {i["finding"] for i in items}
    assert {"drawn"} <= {i["how"] for i in items}
    not_done = next(i for i in items if i["finding"] == "not_done")
    assert (await Commitment.select().where(Commitment.id == not_done["commitment"]).first())["state"] == "disputed"
    page = await demo_client.get(f"/inspections/{row['id']}")
    assert page.status_code == 200 and "Xã Đàn" in page.text
    conference = (await demo_client.get(f"/conferences/{followed['conference']['id']}")).text
    assert f"/inspections/{row['id']}" in conference


async def test_the_staff_pages_plan_record_and_close_and_answer_bad_input_clearly(followed, demo_client):
    await reported(followed, 3)
    await sign_in(demo_client, DEMO_ACCOUNTS["inspector"])
    home = await demo_client.get("/staff")
    assert home.status_code == 200 and "Kiểm tra đột xuất" in home.text
    listing = "/inspection-rounds/"
    for form, field, kept in (
        (period(sample_size="abc"), "sample_size", "abc"), (period(sample_size="0"), "sample_size", ""),
        (period(sample_size="9" * 40), "sample_size", "9" * 40), (period(sample_percent="x%"), "sample_percent", "x%"),
        ({"period_from": "32/13/2026", "period_to": "đâu", "sample_size": "1"}, "period_from", "32/13/2026"),
        (period(sample_size="1", chosen="12a, 7"), "chosen", "12a, 7"),
        (period(sample_size="1", title="T" * 5000), "title", ""),
        (period(sample_size="1", period_from="01/01/0001"), "period_from", "01/01/0001"),  # no moment that early
        (period(sample_size="1", period_from="31/12/1999"), "period_from", "31/12/1999"),
        (period(sample_size="1", period_to="31/12/9999"), "period_to", "31/12/9999"),
    ):
        response = await post_form(demo_client, listing, form, page=listing)
        assert response.status_code == 400, (form, response.text[:300])
        assert f'id="{field}-error"' in response.text and kept in response.text
    assert await InspectionRound.count() == 0
    planned = await post_form(demo_client, listing, period(sample_size="2", seed="77"), page=listing,
                              follow_redirects=False)
    assert planned.status_code == 303
    round_id = (await InspectionRound.select(InspectionRound.id).first())["id"]
    page_url = f"/inspection-rounds/{round_id}"
    page = await demo_client.get(page_url)
    assert page.status_code == 200 and "77" in page.text and "Kiểm tra đột xuất" in page.text
    item = (await items_of(round_id))[0]
    token = csrf_token_from(page.text)
    wrong = await demo_client.post(f"{page_url}/items/{item['id']}", data={
        "_csrf_token": token, "finding": "maybe", "visited_on": "hôm nay", "findings": "Ghi chú"})
    assert wrong.status_code == 400 and f'id="item-{item["id"]}-visited_on-error"' in wrong.text
    assert "Ghi chú" in wrong.text and "hôm nay" in wrong.text
    ok = await demo_client.post(f"{page_url}/items/{item['id']}", data={
        "_csrf_token": token, "finding": "done", "visited_on": TODAY.strftime("%d/%m/%Y")}, follow_redirects=False)
    assert ok.status_code == 303
    closing = await demo_client.post(f"{page_url}/close", data={"_csrf_token": token})
    assert closing.status_code == 400 and 'id="close"' in closing.text  # one visit left
    for path in (f"{page_url}/items/999999", "/inspection-rounds/99999999999", "/inspection-rounds/abc",
                 "/inspections/99999999999", "/inspections/0/report.docx", "/inspections/files/77"):
        response = await demo_client.get(path) if "items" not in path else \
            await demo_client.post(path, data={"_csrf_token": token, "finding": "done"})
        assert response.status_code in (404, 405), (path, response.status_code)
    assert (await demo_client.get(f"{page_url}/close")).status_code == 405
    second = (await items_of(round_id))[1]
    await demo_client.post(f"{page_url}/items/{second['id']}", data={
        "_csrf_token": token, "finding": "partly", "findings": "Còn dở.", "visited_on": TODAY.strftime("%d/%m/%Y")})
    closed = await demo_client.post(f"{page_url}/close", data={"_csrf_token": token})
    assert closed.status_code == 200 and f"/inspections/{round_id}/report.docx" in closed.text
    public = await demo_client.get(f"/inspections/{round_id}")
    assert public.status_code == 200 and "Còn dở." in public.text
    # each commitment of the report leads to its public follow-up
    assert f'/commitments/{second["commitment"]}">' in public.text


def test_the_seeded_draw_is_pythons_documented_sample():
    """Anyone can redo the draw with Python alone: the population sorted by id, random.Random(seed).sample."""
    population = [5, 9, 12, 40, 41]
    assert rounds.draw(population, "123", 2) == sorted(random.Random(123).sample(population, 2))
