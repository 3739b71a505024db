"""The records the public API returns (msgspec Structs: the OpenAPI schema is generated from them).

A record carries only what the public pages show. None of them has a field for who asked, how to
reach them, their address, or a question's text before the organisers redacted it: no code path
can put those into the API by mistake."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from msgspec import Meta, Struct

Code = Annotated[str, Meta(description="A question's tracking code, XXXX-XXXX-XXXXX.")]


class Unit(Struct):
    id: int
    code: Annotated[str, Meta(description="The official code: 2 digits for a province, 5 for a commune.")]
    name: str
    kind: Annotated[str, Meta(description="The official division type: phường, xã, đặc khu, tỉnh, thành phố…")]
    level: Annotated[str, Meta(description="province, commune, or district (abolished on 1 July 2025).")]
    parent: int | None
    valid_to: dt.date | None


class Topic(Struct):
    id: int
    code: str
    name_vi: str
    name_en: str
    unit: int | None


class Conference(Struct):
    id: int
    title: str
    kind: Annotated[str, Meta(description="residents, businesses or thematic.")]
    state: Annotated[str, Meta(description="open, closed, in_session, concluded or followed_up.")]
    unit: int
    unit_name: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    venue: str
    online_url: str
    description: str
    questions_open_at: dt.datetime | None
    questions_close_at: dt.datetime | None
    topics: list[int]
    url: str


class Question(Struct):
    code: Code
    conference: int
    unit: int
    unit_name: str
    topic: int
    topic_vi: str
    topic_en: str
    asker_kind: Annotated[str, Meta(description="resident, organisation or business: never who.")]
    state: str
    heading: Annotated[str, Meta(description="The organisers' summary, or the title.")]
    text: Annotated[str, Meta(description="The text as published (redacted by the organisers where needed).")]
    created_at: dt.datetime
    updated_at: dt.datetime
    lead_agency: int | None
    answered: bool
    url: str


class AnswerPart(Struct):
    agency: str
    body: str


class Attachment(Struct):
    id: int
    filename: str
    size: int
    url: str


class Promise(Struct):
    text: str
    due_on: dt.date
    expected_output: str


class Answer(Struct):
    question: Code
    conference: int
    agency: int
    agency_name: str
    body: str
    legal_basis: str
    approver_role: str
    published_at: dt.datetime
    parts: list[AnswerPart]
    attachments: list[Attachment]
    promises: list[Promise]
    url: str


class CommitmentEvent(Struct):
    at: dt.datetime
    action: str
    reason: str
    from_due_on: dt.date | None
    to_due_on: dt.date | None
    percent: int | None


class Evidence(Struct):
    id: int
    filename: str
    content_type: str
    size: int
    agency: str
    at: dt.datetime
    url: str


class Commitment(Struct):
    id: int
    conference: int
    question: Code | None
    text: str
    lead_agency: int
    lead_agency_name: str
    cooperating: list[str]
    state: str
    due_on: dt.date
    original_due_on: dt.date | None
    overdue: bool
    progress: Annotated[int, Meta(ge=0, le=100)]
    outcome: Annotated[str, Meta(description="kept, partly_kept, not_kept, or empty until verified.")]
    from_answer: bool
    updated_at: dt.datetime
    history: list[CommitmentEvent]
    evidence: list[Evidence]
    url: str


class Figure(Struct):
    key: str
    label: str
    value: str
    count: Annotated[int, Meta(description="How many items the figure is worked out from.")]
    method: str
    shown: bool


class Agency(Struct):
    id: int
    name: str
    short_name: str
    unit: int
    unit_name: str
    url: str


class AgencyWithFigures(Struct):
    id: int
    name: str
    short_name: str
    unit: int
    unit_name: str
    url: str
    figures: list[Figure]


Next = Annotated[str | None, Meta(description="The cursor of the next page (pass it as `cursor`); null on the last.")]


class ConferencePage(Struct):
    items: list[Conference]
    next: Next


class QuestionPage(Struct):
    items: list[Question]
    next: Next


class AnswerPage(Struct):
    items: list[Answer]
    next: Next


class CommitmentPage(Struct):
    items: list[Commitment]
    next: Next


class AgencyPage(Struct):
    items: list[Agency]
    next: Next


class UnitPage(Struct):
    items: list[Unit]
    next: Next


class TopicPage(Struct):
    items: list[Topic]
    next: Next
