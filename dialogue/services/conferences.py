"""Conferences: what the public sees of them (the life cycle comes with intake)."""

from __future__ import annotations

from dialogue.tables import Conference

PUBLIC_STATES = [s.value for s in Conference.State if s is not Conference.State.draft]


async def upcoming_public_conferences(limit: int = 10) -> list[dict]:
    """Conferences that are not drafts, soonest first; undated ones last."""
    rows = await Conference.select(
        Conference.id, Conference.title, Conference.kind, Conference.state, Conference.starts_at,
        Conference.venue, Conference.questions_open_at, Conference.questions_close_at,
        Conference.unit.name.as_alias("unit_name"),
        Conference.unit.parent.name.as_alias("province_name"),
    ).where(Conference.state.is_in(PUBLIC_STATES)).order_by(Conference.starts_at).limit(limit)
    return rows


async def conferences_in_units(unit_ids: list[int] | None, limit: int = 50) -> list[dict]:
    """Conferences of these units (None: all), newest first, drafts included: for staff."""
    query = Conference.select(
        Conference.id, Conference.title, Conference.kind, Conference.state, Conference.starts_at,
        Conference.unit.name.as_alias("unit_name"),
    ).order_by(Conference.starts_at, ascending=False).limit(limit)
    if unit_ids is not None:
        query = query.where(Conference.unit.is_in(unit_ids) | Conference.unit.parent.is_in(unit_ids))
    return await query
