"""Answers: the lead agency's answer to a question, and contributing agencies' parts."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Boolean, Bytea, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from dialogue.accounts.tables import StaffUser
from dialogue.commitments.tables import Commitment
from dialogue.questions.tables import Question
from dialogue.reference.tables import AdminUnit, Agency


class Answer(Table, tablename="answer"):
    """The answer the lead agency stands behind: drafted, approved by its head, then published."""

    class State(str, Enum):
        draft = "draft"
        submitted = "submitted"  # waiting for the agency head
        returned = "returned"  # sent back to the officer (by the head or the organisers), with a comment
        approved = "approved"  # approved, held until the conference's release
        published = "published"

    question = ForeignKey(Question, null=False, unique=True)
    agency = ForeignKey(Agency, null=False)
    body = Text(default="")
    legal_basis = Text(default="", help_text="Documents relied on: number and title.")
    state = Varchar(length=10, choices=State, default=State.draft, index=True)
    version = Integer(default=1, help_text="Raised by every save: a save from an older version is a conflict.")
    return_comment = Text(default="")
    updated_by = ForeignKey(StaffUser, null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
    approved_by = ForeignKey(StaffUser, null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    answered_on = Date(null=True, default=None, index=True,
                       help_text="The local day the head approved it: the agency's answer date for the figures.")
    working_days = Integer(null=True, default=None,
                           help_text="Working days from routing to the head's approval, counted when approved.")
    published_at = Timestamptz(null=True, default=None)
    at_session = Boolean(default=False, help_text="To be answered in person at the session (the asker asked for it).")


class AnswerPart(Table, tablename="answer_part"):
    """A contributing agency's part of an answer, which the lead agency's head approves with it."""

    question = ForeignKey(Question, null=False, index=True)
    agency = ForeignKey(Agency, null=False)
    body = Text(default="")
    updated_by = ForeignKey(StaffUser, null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class AnswerFile(Table, tablename="answer_file"):
    """A file attached to an answer, kept in the database so every app process serves it."""

    question = ForeignKey(Question, null=False, index=True)
    filename = Varchar(length=200)
    content_type = Varchar(length=100, help_text="Decided from the content, never from the name.")
    size = Integer()
    data = Bytea()
    uploaded_by = ForeignKey(StaffUser, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class AnswerPromise(Table, tablename="answer_promise"):
    """A "we will …" the answering agency adds to its answer: it becomes a commitment (lead: that
    agency) when the answer is published, in the same transaction."""

    question = ForeignKey(Question, null=False, index=True)
    text = Text(help_text="What the agency will do.")
    due_on = Date()
    expected_output = Text(default="")
    commitment = ForeignKey(Commitment, null=True, default=None, help_text="Set when the answer is published.")
    created_by = ForeignKey(StaffUser, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class AnswerFact(Table, tablename="answer_fact"):
    """One row per question that has an answer due now: the lead agency, the conference's unit, the
    due date and, once the head approved, the day and working days. Kept by answers/facts.py in the
    transaction of every change of the question or its answer, so the leaders' figures read this
    narrow table (and answer_month) instead of joining four large ones."""

    question = ForeignKey(Question, null=False, unique=True)
    unit = ForeignKey(AdminUnit, null=False, help_text="The conference's unit.")
    agency = ForeignKey(Agency, null=False)
    due_on = Date()
    answered_on = Date(null=True, default=None)
    working_days = Integer(null=True, default=None)


class AnswerMonth(Table, tablename="answer_month"):
    """Per conference unit, lead agency and month of due date: how many answers fall due, and how many
    of them were given on time and late. The sums of answer_fact, kept with it (answers/facts.py)."""

    key = Varchar(length=40, unique=True, help_text="<unit>:<agency>:<YYYY-MM>, the row an upsert finds.")
    unit = Integer()
    agency = Integer()
    month = Varchar(length=7, help_text="YYYY-MM of the due date.")
    due = Integer(default=0)
    on_time = Integer(default=0)
    late = Integer(default=0)
