"""The agenda of a conference and what its session recorded."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from dialogue.accounts.tables import StaffUser
from dialogue.conferences.tables import Conference
from dialogue.questions.tables import Question
from dialogue.reference.tables import Agency


class AgendaItem(Table, tablename="agenda_item"):
    """One question on the agenda, in its place, with the outcome the session gave it."""

    class Outcome(str, Enum):
        none = ""  # not dealt with yet
        answered = "answered"  # answered on the spot
        writing = "writing"  # to be answered in writing by a date
        commitments = "commitments"  # one or more commitments made

    conference = ForeignKey(Conference, null=False, index=True)
    question = ForeignKey(Question, null=False, unique=True)
    position = Integer(default=0, help_text="Order on the agenda, from 1.")
    minutes = Integer(default=5, help_text="Time planned for the item.")
    outcome = Varchar(length=12, choices=Outcome, default=Outcome.none)
    answered_by_agency = ForeignKey(Agency, null=True, default=None)
    answered_by_position = Varchar(length=150, default="", help_text="Who answered: their position.")
    summary = Text(default="", help_text="A summary of the answer given on the spot.")
    written_due_on = Date(null=True, default=None, help_text="When the written answer is due.")
    version = Integer(default=1, help_text="Raised by every outcome save: an older version's save is a conflict.")
    updated_by = ForeignKey(StaffUser, null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class ConferenceSession(Table, tablename="conference_session"):
    """What the session of one conference recorded besides its items: the item on the screen, the
    chair's conclusions, and attendance."""

    conference = ForeignKey(Conference, null=False, unique=True)
    current_item = ForeignKey(AgendaItem, null=True, default=None, help_text="The item shown on the screen.")
    conclusions = Text(default="", help_text="The chair's general conclusions.")
    conclusions_version = Integer(default=1)
    residents = Integer(default=0)
    businesses = Integer(default=0)
    organisations = Integer(default=0)
    chair = Varchar(length=150, default="", help_text="Name and position.")
    secretary = Varchar(length=150, default="")
    co_organiser = Varchar(length=250, default="", help_text="Who represented the co-organiser (the Fatherland Front).")
    started_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class SessionAttendee(Table, tablename="session_attendee"):
    """An agency present at the session, and who represented it."""

    conference = ForeignKey(Conference, null=False, index=True)
    agency = ForeignKey(Agency, null=False)
    name = Varchar(length=100)
    position = Varchar(length=150, default="")
