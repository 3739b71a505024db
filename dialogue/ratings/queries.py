"""Satisfaction figures: per agency and per conference, averaged only from enough ratings.

An average over one or two ratings is one asker's score: the averages (overall, and each dimension
over the ratings that scored it) are shown only from RATING_MIN_COUNT ratings (default 5); below
it, only how many there are. Comments are never part of the figures: they stay with the staff."""

from __future__ import annotations

from dialogue.core.calendar import local_today
from dialogue.core.db import Prepared
from dialogue.core.settings import get_settings
from dialogue.machine.actors import Actor, require
from dialogue.ratings.commands import DIMENSIONS
from dialogue.ratings.tables import Rating
from dialogue.reference.units import scope_of_unit


def _minimum(minimum: int | None) -> int:
    return get_settings().rating_min_count if minimum is None else minimum


def _average(values: list[int], minimum: int) -> float | None:
    return round(sum(values) / len(values), 2) if len(values) >= minimum and values else None


def summary(rows: list[dict], minimum: int) -> dict:
    """{"count", "shown", "overall", "dimensions": {name: average}} of these ratings; averages None
    (hidden) below the minimum count. A dimension is averaged over the ratings that scored it (not
    "not applicable") and hidden below the minimum on its own."""
    shown = len(rows) >= minimum
    return {
        "count": len(rows), "shown": shown, "minimum": minimum,
        "overall": _average([r["overall"] for r in rows], minimum) if shown else None,
        "dimensions": {name: _average([r[name] for r in rows if r[name] is not None], minimum) if shown else None
                       for name in DIMENSIONS},
    }


def _scores(column):
    return Rating.select(column.as_alias("group_id"), Rating.overall, *[getattr(Rating, d) for d in DIMENSIONS])


# One conference's figures are on every view of its page: that read is built once.
OF_ONE_CONFERENCE = Prepared(Rating, lambda conference: _scores(Rating.conference).where(
    Rating.conference == conference))


async def _grouped(column, ids: list[int] | None, minimum: int | None) -> dict[int, dict]:
    if ids is not None and len(ids) == 1 and column is Rating.conference:
        rows = await OF_ONE_CONFERENCE.rows(ids[0])
    else:
        rows = await (_scores(column) if ids is None else _scores(column).where(column.is_in(ids or [0])))
    groups: dict[int, list[dict]] = {group: [] for group in ids or []}
    for row in rows:
        groups.setdefault(row["group_id"], []).append(row)
    limit = _minimum(minimum)
    return {group: summary(rows, limit) for group, rows in groups.items()}


async def satisfaction_by_agency(agency_ids: list[int] | None = None, minimum: int | None = None) -> dict[int, dict]:
    """Per agency rated (the answering agency, or a commitment's lead agency): {"count": n, "shown": bool,
    "overall": average or None, "dimensions": {name: average or None}}. Every agency asked for is in
    the result, with a count of 0 if it has no ratings; without ids, every agency that has ratings."""
    return await _grouped(Rating.agency, agency_ids, minimum)


async def satisfaction_by_conference(conference_ids: list[int] | None = None,
                                     minimum: int | None = None) -> dict[int, dict]:
    """The same figures per conference (the ratings of its questions' answers and commitments)."""
    return await _grouped(Rating.conference, conference_ids, minimum)


async def staff_view(actor: Actor, conference: dict, minimum: int | None = None) -> dict:
    """What the organisers of the conference's unit see: the conference's figures and each agency's
    (hidden below the minimum as on public pages), and the comments, by agency and in no order of
    time, each with what was rated and the month only, never which question or who, nor the day: a
    ward gets a handful of ratings a day, and a comment's day next to a question's history would tell
    whose it is. Comments are read by staff only, so that a frank one cannot be held against anyone."""
    require(actor, "organise", await scope_of_unit(conference["unit"]))
    rows = await Rating.select(
        Rating.agency, Rating.agency.name.as_alias("agency_name"), Rating.overall,
        *[getattr(Rating, d) for d in DIMENSIONS],
    ).where(Rating.conference == conference["id"])
    limit = _minimum(minimum)
    names = {row["agency"]: row["agency_name"] for row in rows}
    by_agency = [{"agency": agency, "agency_name": name,
                  **summary([r for r in rows if r["agency"] == agency], limit)}
                 for agency, name in sorted(names.items(), key=lambda item: item[1])]
    rated = await Rating.select(
        Rating.comment, Rating.subject, Rating.created_at, Rating.agency.name.as_alias("agency_name"),
    ).where((Rating.conference == conference["id"]) & (Rating.comment != ""))
    comments = sorted(({"comment": r["comment"], "subject": r["subject"], "agency_name": r["agency_name"],
                        "month": local_today(r["created_at"]).strftime("%m/%Y")} for r in rated),
                      key=lambda c: (c["agency_name"], c["subject"], c["comment"]))
    return {"conference": conference, "figures": summary(rows, limit), "agencies": by_agency, "comments": comments}
