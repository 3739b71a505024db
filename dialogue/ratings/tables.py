"""Satisfaction ratings: the asker's scores for the answer to their question and for each commitment
made for it once verified, on the dimensions of the national satisfaction survey (SIPAS)."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from dialogue.commitments.tables import Commitment
from dialogue.conferences.tables import Conference
from dialogue.questions.tables import Question
from dialogue.reference.tables import Agency


class Rating(Table, tablename="rating"):
    """One asker's rating of one thing: the answer to their question, or one verified commitment made
    for it. The raw scores are kept; public pages show only averages over enough ratings
    (RATING_MIN_COUNT). A dimension left empty means "not applicable"; the overall score is required."""

    class Subject(str, Enum):
        answer = "answer"
        commitment = "commitment"

    subject_key = Varchar(length=60, unique=True,
                          help_text="question:<id>:answer or question:<id>:commitment:<id> — each rated once; "
                                    "a second insert (another tab, a double click) fails on this key.")
    question = ForeignKey(Question, null=False, index=True)
    subject = Varchar(length=10, choices=Subject)
    commitment = ForeignKey(Commitment, null=True, default=None, help_text="The commitment rated, if one.")
    agency = ForeignKey(Agency, null=False, index=True,
                        help_text="The agency rated: the answering agency, or the commitment's lead agency.")
    conference = ForeignKey(Conference, null=False, index=True)
    information = Integer(null=True, default=None, help_text="Access to information, 1–5; None: not applicable.")
    procedure = Integer(null=True, default=None, help_text="The procedure, 1–5; None: not applicable.")
    attitude = Integer(null=True, default=None, help_text="The officials' attitude, 1–5; None: not applicable.")
    result = Integer(null=True, default=None, help_text="Quality and timeliness of the result, 1–5; None: n/a.")
    feedback = Integer(null=True, default=None, help_text="Handling of feedback, 1–5; None: not applicable.")
    overall = Integer(help_text="Overall satisfaction, 1–5 (required).")
    comment = Text(default="", help_text="Staff only: never shown publicly.")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
