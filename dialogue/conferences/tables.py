"""Dialogue conferences."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from dialogue.reference.tables import AdminUnit, Topic


class Conference(Table, tablename="conference"):
    class Kind(str, Enum):
        residents = "residents"  # the annual dialogue with residents (Law 10/2022 Art. 32)
        businesses = "businesses"
        thematic = "thematic"

    class State(str, Enum):
        draft = "draft"
        open = "open"  # open for questions
        closed = "closed"  # closed for questions
        in_session = "in_session"
        concluded = "concluded"
        followed_up = "followed_up"

    class ReleasePolicy(str, Enum):
        on_approval = "on_approval"
        at_session = "at_session"

    title = Varchar(length=250)
    title_folded = Varchar(length=250, index=True)
    kind = Varchar(length=12, choices=Kind, default=Kind.residents)
    unit = ForeignKey(AdminUnit, null=False)
    co_organiser = Varchar(length=250, default="")
    starts_at = Timestamptz(null=True, default=None)
    ends_at = Timestamptz(null=True, default=None)
    venue = Varchar(length=300, default="")
    online_url = Varchar(length=500, default="")
    description = Text(default="")
    questions_open_at = Timestamptz(null=True, default=None)
    questions_close_at = Timestamptz(null=True, default=None)
    release_policy = Varchar(length=12, choices=ReleasePolicy, default=ReleasePolicy.on_approval)
    state = Varchar(length=12, choices=State, default=State.draft, index=True)
    answer_days = Integer(default=10, help_text="Working days an agency has to answer once a question is routed.")
    created_at = Timestamptz(default=TimestamptzNow())


class ConferenceTopic(Table, tablename="conference_topic"):
    """The topics a conference takes questions on."""

    conference = ForeignKey(Conference, null=False, index=True)
    topic = ForeignKey(Topic, null=False)
