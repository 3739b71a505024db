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
