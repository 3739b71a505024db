"""What is read of commitments: those of a conference, with their agencies' names."""

from __future__ import annotations

from dialogue.commitments.tables import Commitment, CommitmentAgency


async def of_conference(conference_id: int) -> list[dict]:
    """Every commitment of the conference, oldest first, with `cooperating` (agency names) and
    `cooperating_ids`."""
    rows = await Commitment.select(
        Commitment.all_columns(), Commitment.lead_agency.name.as_alias("lead_agency_name"),
        Commitment.lead_agency.short_name.as_alias("lead_agency_short"),
    ).where(Commitment.conference == conference_id).order_by(Commitment.id)
    partners = await CommitmentAgency.select(
        CommitmentAgency.commitment, CommitmentAgency.agency, CommitmentAgency.agency.name.as_alias("agency_name"),
    ).where(CommitmentAgency.commitment.is_in([r["id"] for r in rows] or [0])).order_by(CommitmentAgency.id)
    for row in rows:
        row["cooperating"] = [p["agency_name"] for p in partners if p["commitment"] == row["id"]]
        row["cooperating_ids"] = [p["agency"] for p in partners if p["commitment"] == row["id"]]
    return rows


def by_question(rows: list[dict]) -> dict[int | None, list[dict]]:
    """The commitments grouped by their question (None: the chair's conclusions)."""
    grouped: dict[int | None, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["question"], []).append(row)
    return grouped
