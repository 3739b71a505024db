"""Commitments: a promise made at a conference, linked to a question or to the chair's conclusions."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Bytea, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
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

    class Outcome(str, Enum):
        kept = "kept"
        partly_kept = "partly_kept"
        not_kept = "not_kept"

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
    lead_agency = ForeignKey(Agency, null=False, index=True)
    due_on = Date(index=True, help_text="When it is due (computed from working days when given so).")
    due_working_days = Integer(null=True, default=None, help_text="The working days it was given in, if so.")
    original_due_on = Date(null=True, default=None,
                           help_text="The first due date, kept once the date is extended (shown with the new one).")
    state = Varchar(length=14, choices=State, default=State.open, index=True)
    progress = Integer(default=0, help_text="The lead agency's last reported percentage done, 0–100.")
    done_summary = Text(default="", help_text="What was done, as the lead agency reported it.")
    outcome = Varchar(length=12, choices=Outcome, null=True, default=None,
                      help_text="Recorded when verified: kept, partly or not.")
    closed_at = Timestamptz(null=True, default=None, help_text="When it was verified or cancelled.")
    version = Integer(default=1)
    created_by = ForeignKey(StaffUser, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class CommitmentAgency(Table, tablename="commitment_agency"):
    """An agency cooperating with the lead agency on a commitment."""

    commitment = ForeignKey(Commitment, null=False, index=True)
    agency = ForeignKey(Agency, null=False)


class CommitmentUpdate(Table, tablename="commitment_update"):
    """A progress note an agency posts on a commitment: public, on the commitment's timeline."""

    commitment = ForeignKey(Commitment, null=False, index=True)
    agency = ForeignKey(Agency, null=False, help_text="The agency that posted it (the lead or a cooperating one).")
    note = Text()
    percent = Integer(null=True, default=None, help_text="How far the work is, 0–100, if the agency says.")
    author = ForeignKey(StaffUser, null=True, default=None, help_text="Staff only: never shown to the public.")
    at = Timestamptz(default=TimestamptzNow())


class CommitmentFile(Table, tablename="commitment_file"):
    """Evidence of the work (a document or a photo), public on the commitment's timeline. Photos are
    stored without their metadata (EXIF: where and when the photo was taken)."""

    commitment = ForeignKey(Commitment, null=False, index=True)
    agency = ForeignKey(Agency, null=False, help_text="The agency that attached it.")
    filename = Varchar(length=200)
    content_type = Varchar(length=100, help_text="Decided from the content, never from the name.")
    size = Integer()
    data = Bytea()
    uploaded_by = ForeignKey(StaffUser, null=True, default=None, help_text="Staff only: never shown to the public.")
    created_at = Timestamptz(default=TimestamptzNow())


class CommitmentReminder(Table, tablename="commitment_reminder"):
    """A reminder already sent about a commitment, so that each is sent once per commitment and threshold."""

    key = Varchar(length=60, unique=True, help_text="commitment:kind — a second worker's insert of it fails.")
    commitment = ForeignKey(Commitment, null=False)
    kind = Varchar(length=20, help_text="due_soon (lead agency head), overdue (organisers), escalated (leadership).")
    sent_at = Timestamptz(default=TimestamptzNow())


class CommitmentConfirmation(Table, tablename="commitment_confirmation"):
    """The asker's one-click confirmation link for one report of a commitment as done: only the
    token's hash is kept (a copy of the database gives no usable link). Used once, then it answers no more."""

    class Answer(str, Enum):
        yes = "yes"
        no = "no"

    report = Integer(unique=True, help_text="The action-log entry of the report it asks about: one request per report.")
    commitment = ForeignKey(Commitment, null=False, index=True)
    question = ForeignKey(Question, null=False)
    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the commitment id and the secret.")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    answer = Varchar(length=3, choices=Answer, null=True, default=None)
    reason = Text(default="", help_text="The asker's words on \"no\", as typed (the public timeline shows them "
                                        "with contacts removed).")
