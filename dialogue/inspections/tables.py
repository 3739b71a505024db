"""Surprise re-inspection rounds: the round over a unit and a period, the commitments it samples and
what the inspectors found on each, with their evidence."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import JSON, Bytea, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from dialogue.accounts.tables import StaffUser
from dialogue.commitments.tables import Commitment
from dialogue.reference.tables import AdminUnit


class InspectionRound(Table, tablename="inspection_round"):
    """An unannounced round: a random sample (reproducible from its seed) of the unit's commitments
    reported done in a period. Seen only by the unit's inspectors and organisers until it is closed;
    closing freezes its report, which is then public."""

    class State(str, Enum):
        planned = "planned"
        in_progress = "in_progress"
        closed = "closed"

    unit = ForeignKey(AdminUnit, null=False, index=True)
    title = Varchar(length=200)
    period_from = Date(help_text="The first day of the period the commitments were reported done in.")
    period_to = Date(help_text="The last day of that period.")
    seed = Varchar(length=20, help_text="The draw's seed: the same seed and population give the same sample.")
    sample_size = Integer(null=True, default=None, help_text="How many to draw, when asked as a number.")
    sample_percent = Integer(null=True, default=None, help_text="Or what share of the population, 1–100.")
    population_size = Integer(default=0, help_text="How many commitments the draw was made from.")
    state = Varchar(length=12, choices=State, default=State.planned, index=True)
    report = JSON(default="{}", help_text="The report as frozen when the round was closed.")
    report_docx = Bytea(null=True, default=None, help_text="The Word file of the frozen report.")
    closed_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    created_by = ForeignKey(StaffUser, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class InspectionItem(Table, tablename="inspection_item"):
    """A commitment of the round's sample and, once visited, what was found."""

    class How(str, Enum):
        drawn = "drawn"  # by the seeded draw
        chosen = "chosen"  # added by hand when planning

    class Finding(str, Enum):
        done = "done"
        partly = "partly"
        not_done = "not_done"

    round = ForeignKey(InspectionRound, null=False, index=True)
    commitment = ForeignKey(Commitment, null=False, index=True)
    how = Varchar(length=8, choices=How, default=How.drawn)
    finding = Varchar(length=10, choices=Finding, null=True, default=None)
    findings = Text(default="", help_text="What the inspectors saw on the ground.")
    visited_on = Date(null=True, default=None)
    inspector = ForeignKey(StaffUser, null=True, default=None, help_text="Staff only: never shown to the public.")
    recorded_at = Timestamptz(null=True, default=None)


class InspectionFile(Table, tablename="inspection_file"):
    """Evidence of a visit (a document or a photo, without its metadata): public once the round is closed."""

    item = ForeignKey(InspectionItem, null=False, index=True)
    filename = Varchar(length=200)
    content_type = Varchar(length=100, help_text="Decided from the content, never from the name.")
    size = Integer()
    data = Bytea()
    uploaded_by = ForeignKey(StaffUser, null=True, default=None, help_text="Staff only: never shown to the public.")
    created_at = Timestamptz(default=TimestamptzNow())
