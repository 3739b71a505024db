"""What is read of inspection rounds: the unit's rounds for its inspectors and organisers, a round's
sample with its findings, the public report of a closed round, and the results by agency that the
agencies' scorecards count (closed rounds only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dialogue.core.db import Prepared
from dialogue.core.errors import NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import valid_id
from dialogue.inspections.machine import ROUND
from dialogue.inspections.rounds import own_scope, round_for, units_under
from dialogue.inspections.tables import InspectionFile, InspectionItem, InspectionRound
from dialogue.machine.actors import Actor, ObjectScope, may
from dialogue.reference.tables import AdminUnit

F = InspectionItem.Finding
PUBLIC_STATES = sorted(ROUND.sets["public"])


async def unit_name(unit_id: int | None) -> str:
    row = await AdminUnit.select(AdminUnit.name).where(AdminUnit.id == unit_id).first() if unit_id else None
    return row["name"] if row else ""


async def round_titles(round_ids: list[int]) -> dict[int, str]:
    """The rounds' titles, for the admin's action log."""
    rows = await InspectionRound.select(InspectionRound.id, InspectionRound.title) \
        .where(InspectionRound.id.is_in(round_ids or [0]))
    return {row["id"]: row["title"] for row in rows}


async def items_of(round_id: int) -> list[dict]:
    """The round's sample in commitment order, each with its commitment, conference and lead agency,
    and its evidence files (without their bytes)."""
    rows = await InspectionItem.select(
        InspectionItem.all_columns(),
        InspectionItem.commitment.text.as_alias("commitment_text"),
        InspectionItem.commitment.state.as_alias("commitment_state"),
        InspectionItem.commitment.lead_agency.as_alias("lead_agency"),
        InspectionItem.commitment.lead_agency.name.as_alias("lead_agency_name"),
        InspectionItem.commitment.conference.as_alias("conference"),
        InspectionItem.commitment.conference.title.as_alias("conference_title"),
        InspectionItem.commitment.done_summary.as_alias("done_summary"),
        InspectionItem.inspector.full_name.as_alias("inspector_name"),
    ).where(InspectionItem.round == round_id).order_by(InspectionItem.commitment)
    files = await InspectionFile.select(
        InspectionFile.id, InspectionFile.item, InspectionFile.filename, InspectionFile.content_type,
        InspectionFile.size, InspectionFile.created_at,
    ).where(InspectionFile.item.is_in([r["id"] for r in rows] or [0])).order_by(InspectionFile.id)
    for row in rows:
        row["files"] = [f for f in files if f["item"] == row["id"]]
    return rows


async def rounds_for(actor: Actor) -> list[dict]:
    """The rounds of the units the actor inspects (their own and those below it), newest first; all for an admin."""
    query = InspectionRound.select(
        InspectionRound.id, InspectionRound.title, InspectionRound.state, InspectionRound.period_from,
        InspectionRound.period_to, InspectionRound.population_size, InspectionRound.created_at,
        InspectionRound.closed_at, InspectionRound.unit.name.as_alias("unit_name"),
    ).order_by(InspectionRound.id, ascending=False)
    if not may(actor, "inspect", await own_scope(actor)):
        return []  # agencies and leadership never see an unclosed round (closed ones are public)
    if not may(actor, "inspect", ObjectScope()):  # inspecting anywhere is an admin's; the others, their area
        query = query.where(InspectionRound.unit.is_in(await units_under(actor.unit_id)))
    rows = await query
    counts = await InspectionItem.select(InspectionItem.round, InspectionItem.finding).where(
        InspectionItem.round.is_in([r["id"] for r in rows] or [0]))
    for row in rows:
        mine = [c for c in counts if c["round"] == row["id"]]
        row["sample"], row["visited"] = len(mine), sum(1 for c in mine if c["finding"])
    return rows


async def staff_round(actor: Actor, round_id: int) -> tuple[dict, list[dict]]:
    """A round and its sample, for those who may inspect its unit (anyone else: not found)."""
    row = await round_for(actor, round_id)
    items = await items_of(row["id"])
    open_round = ROUND.is_in("takes_findings", row["state"])
    for item in items:
        item["can_record"] = open_round  # a finding can be corrected until the round is closed
    return row, items


@dataclass(frozen=True)
class PublicRound:
    """A closed round as the public reads it: its frozen report (never who among the staff)."""

    id: int
    title: str
    unit_name: str
    report: dict


async def public_round(round_id: int) -> PublicRound:
    """A closed round's frozen report; an unclosed or unknown one is not found (it is not announced)."""
    row = await InspectionRound.select(
        InspectionRound.id, InspectionRound.title, InspectionRound.state, InspectionRound.report,
        InspectionRound.unit.name.as_alias("unit_name"),
    ).where(InspectionRound.id == round_id).output(load_json=True).first() if valid_id(round_id) else None
    if row is None or not ROUND.is_in("public", row["state"]):
        raise NotFound(_("There is no such inspection round."))
    return PublicRound(id=row["id"], title=row["title"], unit_name=row["unit_name"], report=_with_days(row["report"]))


def _with_days(report: dict) -> dict:
    """The frozen report with its ISO dates read back as dates (for the page's dd/mm/yyyy)."""
    def day(raw: str | None) -> dt.date | None:
        return dt.date.fromisoformat(raw) if raw else None

    return {**report, **{key: day(report.get(key)) for key in ("period_from", "period_to", "closed_on", "planned_on")},
            "items": [{**item, "visited_on": day(item.get("visited_on"))} for item in report.get("items", [])]}


async def public_report_docx(round_id: int) -> tuple[str, bytes]:
    """The frozen Word file of a closed round, with its download name."""
    row = await InspectionRound.select(InspectionRound.id, InspectionRound.state, InspectionRound.report_docx) \
        .where(InspectionRound.id == round_id).first() if valid_id(round_id) else None
    if row is None or not ROUND.is_in("public", row["state"]) or not row["report_docx"]:
        raise NotFound(_("There is no such inspection round."))
    return f"Bao-cao-kiem-tra-dot-xuat-{row['id']}.docx", bytes(row["report_docx"])


CLOSED_ROUNDS = Prepared(InspectionItem, lambda conference: InspectionItem.select(  # on every conference page
    InspectionItem.round.as_alias("id"), InspectionItem.round.title.as_alias("title"),
    InspectionItem.round.closed_at.as_alias("closed_at"),
).where((InspectionItem.commitment.conference == conference)
        & InspectionItem.round.state.is_in(PUBLIC_STATES)).order_by(InspectionItem.round))


async def closed_rounds_of_conference(conference_id: int) -> list[dict]:
    """The closed rounds that inspected commitments of this conference (its public page links them)."""
    rows = await CLOSED_ROUNDS.rows(conference_id)
    unique: dict[int, dict] = {}
    for row in rows:
        unique.setdefault(row["id"], row)
    return list(unique.values())


async def evidence_file(actor: Actor | None, file_id: int) -> dict:
    """An evidence file with its bytes: public once its round is closed; before that, only for those
    who may inspect the round's unit (to anyone else it does not exist)."""
    row = await InspectionFile.select(
        InspectionFile.all_columns(), InspectionFile.item.round.as_alias("round"),
        InspectionFile.item.round.state.as_alias("round_state"),
    ).where(InspectionFile.id == file_id).first() if valid_id(file_id) else None
    if row is None:
        raise NotFound(_("This item no longer exists."))
    if not ROUND.is_in("public", row["round_state"]):
        if actor is None or actor.kind != "staff":
            raise NotFound(_("This item no longer exists."))
        await round_for(actor, row["round"])
    return row


async def results_by_agency(agency_ids: list[int] | None = None) -> dict[int, dict]:
    """For each lead agency, what closed rounds found of its commitments:
    {agency_id: {"inspected": n, "done": n, "partly": n, "not_done": n}}. Open rounds never count:
    their findings are not yet public."""
    condition = InspectionItem.round.state.is_in(PUBLIC_STATES) & InspectionItem.finding.is_not_null()
    if agency_ids is not None:
        condition &= InspectionItem.commitment.lead_agency.is_in(list(agency_ids) or [0])
    rows = await InspectionItem.select(
        InspectionItem.commitment.lead_agency.as_alias("agency"), InspectionItem.finding).where(condition)
    results: dict[int, dict] = {}
    for row in rows:
        counts = results.setdefault(row["agency"], {"inspected": 0, **{f.value: 0 for f in F}})
        counts["inspected"] += 1
        counts[row["finding"]] += 1
    return results


async def public_findings_of_agency(agency_id: int) -> list[dict]:
    """The findings of closed rounds on the commitments this agency leads, latest visit first: the
    list an agency's public page shows beside the inspection figure it counts."""
    return await InspectionItem.select(
        InspectionItem.round, InspectionItem.round.title.as_alias("round_title"), InspectionItem.finding,
        InspectionItem.visited_on, InspectionItem.commitment, InspectionItem.commitment.text.as_alias("text"),
        InspectionItem.commitment.conference.as_alias("conference"),
    ).where(
        InspectionItem.round.state.is_in(PUBLIC_STATES) & InspectionItem.finding.is_not_null()
        & (InspectionItem.commitment.lead_agency == agency_id)
    ).order_by(InspectionItem.visited_on, ascending=False).order_by(InspectionItem.id)
