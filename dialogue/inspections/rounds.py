"""Surprise re-inspection rounds: plan a round (the unannounced, seeded draw of commitments reported
done), record what each visit found, attach evidence, and close the round, which freezes its report,
puts each finding on the inspected commitment's public timeline and disputes each commitment found
not done (its work reopens and its asker is told why), all in one transaction.

Every step is authorised on the round itself ("inspect" on the round's unit: its inspectors and
organisers, and admins), and nothing of a round reaches an agency, an e-mail or a public page
before it is closed: the point of the practice is that agencies cannot prepare for the visit."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import secrets

from dialogue.commitments import followup
from dialogue.commitments.machine import COMMITMENT
from dialogue.commitments.tables import Commitment
from dialogue.core import uploads
from dialogue.core.calendar import TZ, local_today
from dialogue.core.db import write_transaction
from dialogue.core.errors import Conflict, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.i18n import language
from dialogue.core.text import paragraphs, parse_day, parse_id, tidy, valid_id
from dialogue.inspections.machine import FILE, FINDING, FINDINGS, INSPECTED, ROUND
from dialogue.inspections.tables import InspectionFile, InspectionItem, InspectionRound
from dialogue.machine import log
from dialogue.machine.actors import Actor, ObjectScope, may, require
from dialogue.machine.log import ActionLog
from dialogue.machine.transitions import transition
from dialogue.reference.tables import AdminUnit
from dialogue.reference.units import unit_by_code, unit_path

MAX_TITLE = 200
MAX_FINDINGS = 2000
MAX_SAMPLE = 500  # a round is a few dozen visits; more is a typing mistake
MAX_CHOSEN = 50
MAX_FILES = 10  # evidence files per item
SEED_DIGITS = 18
REPORTED = COMMITMENT.sets["confirmable"]  # reported done, or verified since: what a visit can re-check
EARLIEST = dt.date(2000, 1, 1)  # no commitment is older; earlier days would overflow as moments (local_bounds)
REPORT_DONE = COMMITMENT.logged_as("report_done")


# --- The draw -----------------------------------------------------------------------------------------------

async def units_under(unit_id: int) -> list[int]:
    """The unit and every unit below it (a province and its communes), by the units' parent links."""
    found, frontier = [unit_id], [unit_id]
    for _depth in range(4):
        rows = await AdminUnit.select(AdminUnit.id).where(AdminUnit.parent.is_in(frontier))
        frontier = [row["id"] for row in rows if row["id"] not in found]
        if not frontier:
            break
        found.extend(frontier)
    return found


def local_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as moments: from the first day's midnight to the day after the last, in Hà Nội."""
    return (dt.datetime.combine(first, dt.time(0), TZ).astimezone(dt.UTC),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), TZ).astimezone(dt.UTC))


async def population(unit_id: int, first: dt.date, last: dt.date) -> list[int]:
    """The commitments a round over this unit and period draws from, by id: those of the conferences
    of the unit and the units below it, reported done (the log's entry) within the period, and still
    reported done or verified."""
    start, end = local_bounds(first, last)
    reported = {int(row["object_id"]) for row in await ActionLog.select(ActionLog.object_id).where(
        (ActionLog.object_type == "commitment") & (ActionLog.action == REPORT_DONE)
        & (ActionLog.at >= start) & (ActionLog.at < end))}
    if not reported:
        return []
    rows = await Commitment.select(Commitment.id).where(
        Commitment.id.is_in(sorted(reported)) & Commitment.state.is_in(sorted(REPORTED))
        & Commitment.conference.unit.is_in(await units_under(unit_id)))
    return sorted(row["id"] for row in rows)


def sample_count(population_size: int, size: int | None, percent: int | None) -> int:
    """How many to draw: the number asked, or the share of the population (rounded up, at least one)."""
    if percent is not None:
        return max(1, math.ceil(population_size * percent / 100))
    return size or 0


def draw(population_ids: list[int], seed: str, count: int) -> list[int]:
    """The seeded draw: the same seed and population always give the same sample (in id order)."""
    ordered = sorted(population_ids)
    return sorted(random.Random(int(seed)).sample(ordered, min(count, len(ordered))))


def new_seed() -> str:
    return str(secrets.randbelow(10**12))


# --- Reading, with the permission on the round ----------------------------------------------------------------

async def get_round(round_id: int) -> dict:
    row = await InspectionRound.select(
        *[c for c in InspectionRound.all_columns() if c._meta.name != "report_docx"],
        InspectionRound.unit.name.as_alias("unit_name"),
    ).where(InspectionRound.id == round_id).output(load_json=True).first() if valid_id(round_id) else None
    if row is None:
        raise NotFound(_("There is no such inspection round."))
    return row


async def scope_of(round_row: dict) -> ObjectScope:
    return ObjectScope(unit_path=await unit_path(round_row["unit"]))


async def own_scope(actor: Actor) -> ObjectScope:
    """The actor's own unit (none for an admin), as a scope: may they inspect anything at all?"""
    return ObjectScope(unit_path=await unit_path(actor.unit_id))


async def round_for(actor: Actor, round_id: int) -> dict:
    """The round, for those who may inspect its unit. Anyone else is told it does not exist: an
    unclosed round is not to be known of (its public page, once closed, is for everyone)."""
    row = await get_round(round_id)
    if not may(actor, "inspect", await scope_of(row)):
        raise NotFound(_("There is no such inspection round."))
    return row


async def _item(round_row: dict, item_id: int) -> dict:
    row = await InspectionItem.select(
        InspectionItem.all_columns(), InspectionItem.commitment.state.as_alias("commitment_state"),
    ).where((InspectionItem.id == item_id) & (InspectionItem.round == round_row["id"])).first() \
        if valid_id(item_id) else None
    if row is None:
        raise NotFound(_("This commitment is not in the round's sample."))
    return row


# --- Planning ----------------------------------------------------------------------------------------------

def _number(raw: str, low: int, high: int) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 and low <= int(raw) <= high else None


async def plan(actor: Actor, form: dict, now: dt.datetime) -> int:
    """Plan a round over the actor's unit (an admin names the unit) and a period, and draw its sample
    at once: N commitments, or a share of them, from those reported done in the period, with the
    seed given or a new one (recorded, so that anyone can redo the draw). Commitments chosen by
    number are added, but only from the same population. Nobody outside the unit's inspectors and
    organisers is told."""
    require(actor, "inspect", await own_scope(actor))
    errors: dict[str, str] = {}
    unit_id = actor.unit_id
    if unit_id is None:
        unit_id = await unit_by_code(form.get("unit"))
        if unit_id is None:
            errors["unit"] = _("Enter the official code of the commune, ward or province to inspect.")
    if unit_id is not None:
        require(actor, "inspect", ObjectScope(unit_path=await unit_path(unit_id)))
    title = tidy(form.get("title"))
    if len(title) > MAX_TITLE:
        errors["title"] = _("Use at most %(count)s characters.", count=MAX_TITLE)
    today = local_today(now)
    first, last = parse_day(form.get("period_from")), parse_day(form.get("period_to"))
    if first is None:
        errors["period_from"] = _("Enter a date as dd/mm/yyyy, for example 31/03/2027.")
    elif first < EARLIEST:
        errors["period_from"] = _("The period cannot start before %(day)s.", day=EARLIEST.strftime("%d/%m/%Y"))
    if last is None:
        errors["period_to"] = _("Enter a date as dd/mm/yyyy, for example 31/03/2027.")
    elif last > today:
        errors["period_to"] = _("The period cannot end after today.")
    elif first is not None and first > last:
        errors["period_to"] = _("The period must end on or after the day it starts.")
    size_raw, percent_raw = tidy(form.get("sample_size")), tidy(form.get("sample_percent"))
    size = percent = None
    if size_raw and percent_raw:
        errors["sample_size"] = _("Give either a number of commitments or a percentage, not both.")
    elif size_raw:
        size = _number(size_raw, 1, MAX_SAMPLE)
        if size is None:
            errors["sample_size"] = _("Enter a whole number from 1 to %(count)s.", count=MAX_SAMPLE)
    elif percent_raw:
        percent = _number(percent_raw.rstrip("%").strip(), 1, 100)
        if percent is None:
            errors["sample_percent"] = _("Enter a whole number from 1 to 100.")
    else:
        errors["sample_size"] = _("Say how many commitments to draw, or what percentage of them.")
    seed = tidy(form.get("seed"))
    if seed and not (seed.isascii() and seed.isdigit() and len(seed) <= SEED_DIGITS):
        errors["seed"] = _("The seed is a number of at most %(count)s digits; leave it empty for a new one.",
                           count=SEED_DIGITS)
    chosen_raw = [part for part in (form.get("chosen") or "").replace(";", ",").replace(" ", ",").split(",")
                  if part.strip()]
    chosen = [parse_id(part) for part in chosen_raw]
    if len(chosen) > MAX_CHOSEN:
        errors["chosen"] = _("Choose at most %(count)s commitments by hand.", count=MAX_CHOSEN)
    elif None in chosen:
        errors["chosen"] = _("Enter commitment numbers (digits only), separated by commas.")
    if errors:
        raise InvalidInput(errors)
    found = await population(unit_id, first, last)
    if not found:
        raise InvalidInput({"period_to": _("No commitment of this area was reported done in this period: there "
                                           "is nothing to inspect.")})
    outside = sorted(set(chosen) - set(found))
    if outside:
        raise InvalidInput({"chosen": _(
            "Not among the commitments of this area reported done in the period: %(numbers)s.",
            numbers=", ".join(str(n) for n in outside))})
    count = sample_count(len(found), size, percent)
    if count > len(found):
        raise InvalidInput({"sample_size": _(
            "Only %(count)s commitments were reported done in this period: draw at most that many.",
            count=len(found))})
    seed = seed.lstrip("0") or "0" if seed else new_seed()
    drawn = draw(found, seed, count)
    added = sorted(set(chosen) - set(drawn))
    if not title:
        # Stored data, shown as it is on every page: written once, in the unit's language (Vietnamese),
        # whatever the planner's.
        with language("vi"):
            title = _("Surprise inspection of the commitments reported done from %(first)s to %(last)s",
                      first=first.strftime("%d/%m/%Y"), last=last.strftime("%d/%m/%Y"))
    state = ROUND.target_of("", "plan")
    async with write_transaction():
        rows = await InspectionRound.insert(InspectionRound(
            unit=unit_id, title=title, period_from=first, period_to=last, seed=seed, sample_size=size,
            sample_percent=percent, population_size=len(found), state=state, version=1, created_by=actor.staff_id,
            created_at=now)).returning(InspectionRound.id)
        round_id = rows[0]["id"]
        await InspectionItem.insert(
            *[InspectionItem(round=round_id, commitment=c, how=InspectionItem.How.drawn.value) for c in drawn],
            *[InspectionItem(round=round_id, commitment=c, how=InspectionItem.How.chosen.value) for c in added])
        await log.record(actor, ROUND.logged_as("plan"), "inspection_round", round_id, at=now, to_state=state,
                         details={"unit": unit_id, "period": [first, last], "seed": seed, "population": found,
                                  "drawn": drawn, "chosen": added})
    return round_id


# --- Visits ------------------------------------------------------------------------------------------------

async def _open_round(actor: Actor, round_id: int) -> tuple[dict, ObjectScope]:
    row = await round_for(actor, round_id)
    scope = await scope_of(row)
    require(actor, "inspect", scope)
    if not ROUND.is_in("takes_findings", row["state"]):
        raise Conflict(_("The round is closed: its findings can no longer change."))
    return row, scope


async def record_finding(actor: Actor, round_id: int, item_id: int, form: dict, now: dt.datetime) -> None:
    """What the visit found: done, partly done or not done, what was seen, and the day of the visit.
    It stays with the round (and can be corrected) until the round is closed: only then does any
    finding reach the commitment, its agency, its asker or a public page (a "not done" disputes the
    commitment then), so that no agency learns of the round while visits remain."""
    round_row, scope = await _open_round(actor, round_id)
    item = await _item(round_row, item_id)
    errors: dict[str, str] = {}
    finding = tidy(form.get("finding"))
    if finding not in FINDINGS:
        errors["finding"] = _("Choose what the visit found: done, partly done or not done.")
    findings = paragraphs(form.get("findings"))
    # A "not done" becomes the reason of the commitment's dispute when the round closes: its limit too.
    longest = followup.MAX_REASON if finding == InspectionItem.Finding.not_done.value else MAX_FINDINGS
    if len(findings) > longest:
        errors["findings"] = _("Use at most %(count)s characters.", count=longest)
    elif not findings and finding in (InspectionItem.Finding.partly.value, InspectionItem.Finding.not_done.value):
        errors["findings"] = _("Say what the inspectors found missing.")
    visited = parse_day(form.get("visited_on"))
    if visited is None:
        errors["visited_on"] = _("Enter a date as dd/mm/yyyy, for example 31/03/2027.")
    elif visited > local_today(now):
        errors["visited_on"] = _("The visit cannot be in the future.")
    elif visited < local_today(round_row["created_at"]):
        errors["visited_on"] = _("The visit cannot be before the round was planned (%(day)s).",
                                 day=local_today(round_row["created_at"]).strftime("%d/%m/%Y"))
    if errors:
        raise InvalidInput(errors)
    async with write_transaction():
        previous = (InspectionItem.finding.is_null() if item["finding"] is None
                    else InspectionItem.finding == item["finding"])
        changed = await InspectionItem.update({
            InspectionItem.finding: finding, InspectionItem.findings: findings, InspectionItem.visited_on: visited,
            InspectionItem.inspector: actor.staff_id, InspectionItem.recorded_at: now,
        }).where((InspectionItem.id == item["id"]) & previous).returning(InspectionItem.id)
        if not changed:
            raise Conflict(_("Someone else changed this at the same time. Reload the page to see what changed."))
        await log.record(actor, FINDING, "inspection_round", round_row["id"], at=now, reason=findings, details={
            "item": item["id"], "commitment": item["commitment"], "finding": finding, "visited_on": visited,
            "before": item["finding"]})
        # Every finding moves the round's version on, so that a close prepared before it fails
        # rather than freezing a report without it.
        if ROUND.allows(round_row["state"], "start"):
            await transition(ROUND, actor, round_row, "start", now=now, permission="inspect", scope=scope,
                             updates={"version": round_row["version"] + 1}, expect={"version": round_row["version"]})
        elif not await InspectionRound.update({InspectionRound.version: round_row["version"] + 1}).where(
                (InspectionRound.id == round_row["id"]) & (InspectionRound.version == round_row["version"])
                & (InspectionRound.state == round_row["state"])).returning(InspectionRound.id):
            raise Conflict(_("Someone else changed this at the same time. Reload the page to see what changed."))


async def attach_evidence(actor: Actor, round_id: int, item_id: int, filename: str, data: bytes,
                          now: dt.datetime) -> int:
    """A photo or document from the visit: the uploads' rules (type from the content, size), a photo's
    metadata removed (it becomes public with the report)."""
    round_row, _scope = await _open_round(actor, round_id)
    item = await _item(round_row, item_id)
    name, content_type, cleaned = uploads.public_file(filename, data)
    if await InspectionFile.count().where(InspectionFile.item == item["id"]) >= MAX_FILES:
        raise InvalidInput({"file": _("A visit can have at most %(n)s files.", n=MAX_FILES)})
    async with write_transaction():
        # The round must still be open now, and a close prepared before this file fails (its version
        # moved on) rather than freezing a report without it.
        if not await InspectionRound.update({InspectionRound.version: InspectionRound.version + 1}).where(
                (InspectionRound.id == round_row["id"])
                & InspectionRound.state.is_in(sorted(ROUND.sets["takes_findings"]))).returning(InspectionRound.id):
            raise Conflict(_("The round is closed: its findings can no longer change."))
        rows = await InspectionFile.insert(InspectionFile(
            item=item["id"], filename=name, content_type=content_type, size=len(cleaned), data=cleaned,
            uploaded_by=actor.staff_id, created_at=now)).returning(InspectionFile.id)
        await log.record(actor, FILE, "inspection_round", round_row["id"], at=now, reason=name,
                         details={"item": item["id"], "file": rows[0]["id"], "bytes": len(cleaned)})
    return rows[0]["id"]


# --- Closing -----------------------------------------------------------------------------------------------

async def close(actor: Actor, round_id: int, now: dt.datetime, base_url: str) -> dict:
    """Close the round once every visit is recorded: its report is frozen (the page's facts and the
    Word file) and public, its results count on the agencies' scorecards, each inspected commitment's
    public timeline says what the inspection found, and each commitment found not done is disputed
    through the follow-up's own step (the work reopens, the asker is told why). All of it in one
    transaction: before the close nothing of the round reaches anyone outside it."""
    from dialogue.inspections import queries, report

    round_row, scope = await _open_round(actor, round_id)
    items = await queries.items_of(round_row["id"])
    missing = sum(1 for item in items if item["finding"] is None)
    if missing or not items:
        raise InvalidInput({"close": _("Record the visit of every commitment of the sample first (%(count)s left).",
                                       count=missing)})
    if not ROUND.allows(round_row["state"], "close"):
        raise Conflict(_("This cannot be done from the present state. Reload the page to see what changed."))
    frozen = await report.snapshot(round_row, items, now)
    docx = report.render_docx(frozen)

    async def on_commitments(_current: dict) -> None:
        for item in items:
            await log.record(actor, INSPECTED[item["finding"]], "commitment", item["commitment"], at=now,
                             reason=item["findings"], details={"inspection_round": round_row["id"],
                                                               "visited_on": item["visited_on"]})
            if item["finding"] == InspectionItem.Finding.not_done.value and COMMITMENT.allows(
                    (await followup.get_commitment(item["commitment"]))["state"], "dispute"):
                await followup.dispute(actor, item["commitment"], {"reason": item["findings"]}, now, base_url)

    return await transition(
        ROUND, actor, round_row, "close", now=now, permission="inspect", scope=scope,
        updates={"report": json.dumps(frozen, ensure_ascii=False), "report_docx": docx, "closed_at": now,
                 "version": round_row["version"] + 1},
        expect={"version": round_row["version"]}, also=on_commitments)

