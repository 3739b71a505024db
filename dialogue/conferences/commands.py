"""The organiser's commands on conferences: create and edit, and move through the life cycle."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable

from dialogue.conferences.machine import CONFERENCE
from dialogue.conferences.queries import conference_topics, get_conference
from dialogue.conferences.tables import Conference, ConferenceTopic
from dialogue.core.calendar import TZ
from dialogue.core.db import write_transaction
from dialogue.core.errors import InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import fold, parse_day, parse_id, tidy
from dialogue.machine import log as audit
from dialogue.machine.actors import Actor, may, require
from dialogue.machine.transitions import transition
from dialogue.reference.tables import AdminUnit, Topic
from dialogue.reference.units import scope_of_unit, unit_path

S = Conference.State


def _moment(day_raw: str | None, time_raw: str | None) -> dt.datetime | None:
    day = parse_day(day_raw)
    match = re.fullmatch(r"([01]?[0-9]|2[0-3])[:hH.]([0-5][0-9])", (time_raw or "").strip())
    if day is None or match is None:
        return None
    return dt.datetime.combine(day, dt.time(int(match.group(1)), int(match.group(2))), TZ).astimezone(dt.UTC)


async def _validate(form: dict, actor: Actor, conference_id: int | None) -> tuple[dict, list[int]]:
    errors: dict[str, str] = {}
    title = tidy(form.get("title"))
    if len(title) < 10:
        errors["title"] = _("Give the conference a title of at least 10 characters.")
    elif len(title) > 250:
        errors["title"] = _("Use at most %(count)s characters.", count=250)
    kind = form.get("kind", "")
    if kind not in {k.value for k in Conference.Kind}:
        errors["kind"] = _("Choose the kind of conference.")
    unit_code = tidy(form.get("unit"))
    unit = await AdminUnit.select(AdminUnit.id).where(
        (AdminUnit.code == unit_code[:10]) & AdminUnit.valid_to.is_null()).first() if unit_code else None
    if unit is None:
        errors["unit"] = _("Enter the official code of an administrative unit, for example 00235.")
    elif not errors.get("unit") and not may(actor, "organise", await scope_of_unit(unit["id"])):
        errors["unit"] = _("You can organise conferences only in your own area.")
    values = {"title": title, "title_folded": fold(title), "kind": kind, "unit": unit["id"] if unit else None}
    for field, limit in (("co_organiser", 250), ("venue", 300), ("description", 5000)):
        values[field] = tidy(form.get(field)) if field != "description" else (form.get(field) or "").strip()
        if len(values[field]) > limit:
            errors[field] = _("Use at most %(count)s characters.", count=limit)
    url = tidy(form.get("online_url"))
    if url and (not re.fullmatch(r"https?://[^\s<>\"']+", url) or len(url) > 500):
        errors["online_url"] = _("Enter a web address starting with https://")
    values["online_url"] = url
    policy = form.get("release_policy", "")
    if policy not in {p.value for p in Conference.ReleasePolicy}:
        errors["release_policy"] = _("Choose when answers are published.")
    values["release_policy"] = policy
    days = (form.get("answer_days") or "10").strip()
    if not (days.isascii() and days.isdigit() and 1 <= int(days) <= 60):
        errors["answer_days"] = _("Enter a number of working days from 1 to 60.")
    else:
        values["answer_days"] = int(days)

    for prefix in ("starts", "ends", "questions_open", "questions_close"):
        day, time = form.get(f"{prefix}_day"), form.get(f"{prefix}_time")
        moment = _moment(day, time) if (day or time) else None
        if (day or time) and moment is None:
            errors[f"{prefix}_day"] = _(
                "Enter a date as dd/mm/yyyy and a time as hh:mm, for example 18/12/2026 and 08:00.")
        values[f"{prefix}_at"] = moment
    if values["starts_at"] and values["ends_at"] and values["ends_at"] <= values["starts_at"]:
        errors["ends_day"] = _("The conference must end after it starts.")
    if values["questions_open_at"] and values["questions_close_at"]:
        if values["questions_close_at"] <= values["questions_open_at"]:
            errors["questions_close_day"] = _("Questions must close after they open.")
        elif values["starts_at"] and values["questions_close_at"] > values["starts_at"]:
            errors["questions_close_day"] = _("Questions must close before the conference starts.")

    topic_ids = []
    for raw in form.get("topics", "").split(","):
        topic_id = parse_id(raw)
        if topic_id is not None:
            topic_ids.append(topic_id)
    rows = await Topic.select(Topic.id, Topic.unit).where(Topic.id.is_in(topic_ids or [0]))
    known = {row["id"] for row in rows}
    if set(topic_ids) - known:
        errors["topics"] = _("Choose topics from the list.")
    elif unit is not None:
        # A topic of another unit would bring its default agency, and so its questions, to that unit.
        # What the conference already has may stay (conferences made before topics had units).
        path = await unit_path(unit["id"])
        kept = {row["topic"] for row in await ConferenceTopic.select(ConferenceTopic.topic).where(
            ConferenceTopic.conference == conference_id)} if conference_id else set()
        if any(row["unit"] is not None and row["unit"] not in path and row["id"] not in kept for row in rows):
            errors["topics"] = _("Some of these topics belong to another area: choose topics from the list.")
    if errors:
        raise InvalidInput(errors)
    return values, sorted(known)


async def save_conference(actor: Actor, form: dict, now: dt.datetime, conference_id: int | None = None) -> int:
    if conference_id is not None:
        before = await get_conference(conference_id)
        require(actor, "organise", await scope_of_unit(before["unit"]))
    values, topic_ids = await _validate(form, actor, conference_id)
    if conference_id is not None and before["state"] == S.open.value:
        problems = _opening_problems(values, topic_ids)
        if problems:
            raise InvalidInput(problems)
    async with write_transaction():
        if conference_id is None:
            rows = await Conference.insert(Conference(**values, state=S.draft.value, created_at=now)) \
                .returning(Conference.id)
            conference_id = rows[0]["id"]
            await audit.record(actor, "conference_created", "conference", conference_id, at=now, to_state=S.draft.value,
                               details={"title": values["title"]})
        else:
            diff = audit.changes(before, values)
            if diff:
                await Conference.update({getattr(Conference, k): v for k, v in values.items()}) \
                    .where(Conference.id == conference_id)
            old_topics = sorted(t["id"] for t in await conference_topics(conference_id))
            if old_topics != topic_ids:
                diff["topics"] = [old_topics, topic_ids]
            if diff:
                await audit.record(actor, "conference_updated", "conference", conference_id, at=now,
                                   details={k: v for k, v in diff.items() if k != "title_folded"})
        await ConferenceTopic.delete().where(ConferenceTopic.conference == conference_id)
        if topic_ids:
            await ConferenceTopic.insert(*[ConferenceTopic(conference=conference_id, topic=t) for t in topic_ids])
    return conference_id


def _opening_problems(values: dict, topic_ids: list[int]) -> dict[str, str]:
    problems = {}
    if not values.get("starts_at"):
        problems["starts_day"] = _("Set the date and time of the conference before opening it.")
    if not values.get("questions_open_at") or not values.get("questions_close_at"):
        problems["questions_open_day"] = _("Set when questions open and close before opening the conference.")
    if not topic_ids:
        problems["topics"] = _("Choose at least one topic before opening the conference.")
    return problems


Writes = Callable[[dict], Awaitable[None]]


async def change_state(actor: Actor, conference_id: int, action: str, now: dt.datetime, reason: str = "",
                       also: Writes | None = None) -> str:
    """One step of the life cycle. `also` are writes another domain makes in the same transaction
    (starting the session publishes the answers held for it: see answers.release.change_conference_state)."""
    conference = await get_conference(conference_id)
    scope = await scope_of_unit(conference["unit"])
    require(actor, "organise", scope)
    if action not in CONFERENCE.actions:
        raise NotFound(_("This action does not exist."))
    if action == "open" and CONFERENCE.allows(conference["state"], "open"):
        problems = _opening_problems(conference, [t["id"] for t in await conference_topics(conference_id)])
        if problems:
            raise InvalidInput(problems)
    changed = await transition(CONFERENCE, actor, conference, action, now=now, permission="organise", scope=scope,
                               reason=tidy(reason)[:500], also=also)
    return changed["state"]
