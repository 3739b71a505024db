"""Commitments: a promise made at a conference, linked to a question or to the chair's conclusions."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from dialogue.accounts.tables import StaffUser
from dialogue.conferences.tables import Conference
from dialogue.questions.tables import Question
from dialogue.reference.tables import Agency


class Commitment(Table, tablename="commitment"):
    """What will be done, by whom and by when. Without a question it belongs to the chair's conclusions."""

    class State(str, Enum):
        open = "open"
        in_progress = "in_progress"
        reported_done = "reported_done"
        verified = "verified"
        extended = "extended"
        cancelled = "cancelled"
        disputed = "disputed"

    class Origin(str, Enum):
        session = "session"  # recorded on the console during the session
        notice = "notice"  # a task added to the conclusions notice
        answer = "answer"  # promised in a written answer
        organiser = "organiser"  # added by the organisers afterwards

    conference = ForeignKey(Conference, null=False, index=True)
    question = ForeignKey(Question, null=True, default=None, index=True,
                          help_text="None: a commitment of the chair's general conclusions.")
    text = Text(help_text="What will be done.")
    expected_output = Text(default="", help_text="What the work must produce (the notice's \"expected output\").")
    origin = Varchar(length=10, choices=Origin, default=Origin.session)
    lead_agency = ForeignKey(Agency, null=False)
    due_on = Date(help_text="When it is due (computed from working days when given so).")
    due_working_days = Integer(null=True, default=None, help_text="The working days it was given in, if so.")
    state = Varchar(length=14, choices=State, default=State.open, index=True)
    version = Integer(default=1)
    created_by = ForeignKey(StaffUser, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class CommitmentAgency(Table, tablename="commitment_agency"):
    """An agency cooperating with the lead agency on a commitment."""

    commitment = ForeignKey(Commitment, null=False, index=True)
    agency = ForeignKey(Agency, null=False)
