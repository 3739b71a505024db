"""The public questions as Open311 GeoReport v2 service requests (read only), with FixMyStreet's
update-history extension (`servicerequestupdates`), in JSON and XML.

Topics are the services; a question is a service request, known by its tracking code. Its status
is "closed" once its answer is published and none of its commitments is still to be done, "open"
before. A conference has no map: lat/long are left out rather than invented, and the address is
the commune the question is about; media_url (a photo, in GeoReport) is left out, as questions have
none. The same public rules as everywhere (reading.py): only public
questions of public conferences, their published text, never who asked.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Annotated

from msgspec import Meta, Struct, structs

from dialogue.answers.tables import Answer
from dialogue.commitments.machine import COMMITMENT
from dialogue.commitments.tables import Commitment
from dialogue.core.calendar import TZ
from dialogue.core.clock import as_utc
from dialogue.core.errors import InvalidInput, NotFound
from dialogue.core.i18n import current_language
from dialogue.core.i18n import gettext as _
from dialogue.core.vocabulary import public_action, public_actions
from dialogue.machine.log import ActionLog
from dialogue.opendata.reading import PUBLISHED, QUESTION_COLUMNS, Links, public_question
from dialogue.questions.intake import CODE_LENGTH, display_code, normalise_code
from dialogue.questions.tables import Assignment, Question
from dialogue.reference.tables import Topic

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DEFAULT_DAYS = 90  # without start_date, the standard's default window
MAX_REQUESTS = 1000  # the standard's default cap
MAX_IDS = 100  # service_request_id lists


class Endpoint(Struct):
    specification: str
    url: str
    changeset: str
    type: str
    formats: list[str]


class Discovery(Struct):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[Endpoint]


class Service(Struct):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class ServiceRequest(Struct, omit_defaults=True):
    service_request_id: Annotated[str, Meta(description="The question's tracking code.")]
    status: Annotated[str, Meta(description="open, or closed once answered with no commitment still to do.")]
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None = None
    address: str = ""
    media_url: str = ""


class ServiceRequestUpdate(Struct):
    update_id: str
    service_request_id: str
    status: str
    updated_datetime: str
    description: str
    media_url: str


def moment(value: dt.datetime | dt.date | None) -> str | None:
    """W3C date-time with the offset, in Vietnam's time (a due date: the end of that day)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(17, 0), TZ)
    return as_utc(value).astimezone(TZ).isoformat(timespec="seconds")


def parse_moment(text: str, field: str) -> dt.datetime | None:
    """A W3C date or date-time ("2026-01-01", "2026-01-01T08:00:00+07:00"); without a zone, Vietnam's."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if not 2000 <= value.year <= 9000:
            raise ValueError
    except ValueError:
        raise InvalidInput({field: _("Write a date as 2026-01-31, or a moment as 2026-01-31T08:00:00+07:00.")}) \
            from None
    return as_utc(value.replace(tzinfo=TZ) if value.tzinfo is None else value)


def _range(start: str, end: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    end_at = parse_moment(end, "end_date") or now
    start_at = parse_moment(start, "start_date") or end_at - dt.timedelta(days=DEFAULT_DAYS)
    start, end = as_utc(start_at), as_utc(end_at)
    if start > end:
        raise InvalidInput({"start_date": _("The start date is after the end date.")})
    return start, end


def _topic_name(row: dict) -> str:
    return row["topic_vi"] if current_language() == "vi" else row["topic_en"]


async def discovery(base_url: str, changeset: dt.datetime) -> Discovery:
    when = moment(changeset) or ""
    return Discovery(
        changeset=when, contact=base_url, key_service="",
        endpoints=[Endpoint(specification=SPECIFICATION, url=f"{base_url}/open311/v2", changeset=when,
                            type="production", formats=["application/json", "text/xml"])])


async def services() -> list[Service]:
    rows = await Topic.select(Topic.code, Topic.name_vi.as_alias("topic_vi"), Topic.name_en.as_alias("topic_en")).where(
        Topic.active == True).order_by(Topic.position).order_by(Topic.id)
    return [Service(service_code=row["code"], service_name=_topic_name(row), description=_topic_name(row),
                    metadata=False, type="realtime", keywords="", group="") for row in rows]


async def _requests(rows: list[dict], links: Links) -> list[ServiceRequest]:
    ids = [row["id"] for row in rows] or [0]
    leads = {row["question"]: row for row in await Assignment.select(
        Assignment.question, Assignment.agency.name.as_alias("agency_name"), Assignment.due_on).where(
        Assignment.question.is_in(ids) & (Assignment.role == Assignment.Role.lead.value)
        & (Assignment.active == True))}
    answered = {row["question"]: row for row in await Answer.select(
        Answer.question, Answer.agency.name.as_alias("agency_name"), Answer.published_at).where(
        Answer.question.is_in(ids) & Answer.state.is_in(PUBLISHED))}
    live: dict[int, list[dt.date]] = {}
    for row in await Commitment.select(Commitment.question, Commitment.due_on, Commitment.state).where(
            Commitment.question.is_in(ids)):
        if COMMITMENT.is_in("live", row["state"]):
            live.setdefault(row["question"], []).append(row["due_on"])
    out = []
    for row in rows:
        answer, lead, to_do = answered.get(row["id"]), leads.get(row["id"]), live.get(row["id"], [])
        if answer and to_do:
            notes = _("Answered; %(count)s commitment(s) still being followed.", count=len(to_do))
            expected = max(to_do)
        elif answer:
            notes, expected = _("Answered."), None
        else:
            notes, expected = _("Waiting for its answer."), lead["due_on"] if lead else None
        code = display_code(row["tracking_code"])
        heading, text = row["public_summary"] or row["title"], row["public_text"] or row["body"]
        out.append(ServiceRequest(
            service_request_id=code, status="closed" if answer and not to_do else "open", status_notes=notes,
            service_name=_topic_name(row), service_code=row["topic_code"], description=f"{heading}\n\n{text}",
            agency_responsible=(answer or lead or {}).get("agency_name", ""), service_notice="",
            requested_datetime=moment(row["created_at"]) or "", updated_datetime=moment(row["updated_at"]) or "",
            expected_datetime=moment(expected), address=row["unit_name"]))
    return out


COLUMNS = (*QUESTION_COLUMNS, Question.topic.code.as_alias("topic_code"))


async def requests(links: Links, now: dt.datetime, *, ids: str = "", service_code: str = "", start: str = "",
                   end: str = "", status: str = "") -> list[ServiceRequest]:
    """The standard's query: by ids (comma-separated codes, which override the rest), or by services
    and statuses (each a comma-separated list), requested between start and end (default: the last
    90 days); newest first, at most 1,000 (the status is worked out after they are read)."""
    query = Question.select(*COLUMNS).where(public_question())
    statuses = {value.strip() for value in status.split(",") if value.strip()}
    if ids:
        codes = [normalise_code(code) for code in ids.split(",")[:MAX_IDS]]
        query = query.where(Question.tracking_code.is_in([c for c in codes if len(c) == CODE_LENGTH] or [""]))
        statuses = set()
    else:
        if not statuses <= {"open", "closed"}:
            raise InvalidInput({"status": _("Use one of: %(choices)s.", choices="open, closed")})
        since, until = _range(start, end, now)
        query = query.where((Question.created_at >= since) & (Question.created_at <= until))
        services = [code.strip() for code in service_code.split(",") if code.strip()][:MAX_IDS]
        if services:
            query = query.where(Question.topic.code.is_in(services))
    found = await _requests(await query.order_by(Question.id, ascending=False).limit(MAX_REQUESTS), links)
    return [request for request in found if not statuses or request.status in statuses]


async def request(links: Links, raw_code: str) -> list[ServiceRequest]:
    code = normalise_code(raw_code)
    rows = await Question.select(*COLUMNS).where(public_question() & (Question.tracking_code == code)) \
        if len(code) == CODE_LENGTH else []
    if not rows:
        raise NotFound(_("No public question has this tracking code."))
    return await _requests(rows, links)


async def updates(now: dt.datetime, *, start: str = "", end: str = "") -> list[ServiceRequestUpdate]:
    """The public steps of public questions between start and end (default: the last 90 days),
    oldest first, at most the newest 1,000: what each question's public timeline shows."""
    since, until = _range(start, end, now)
    rows = await ActionLog.select(ActionLog.id, ActionLog.object_id, ActionLog.at, ActionLog.action,
                                  ActionLog.to_state).where(
        (ActionLog.object_type == "question") & ActionLog.action.is_in(public_actions())
        & (ActionLog.at >= since) & (ActionLog.at <= until)
    ).order_by(ActionLog.id, ascending=False).limit(MAX_REQUESTS * 2)
    ids = {int(row["object_id"]) for row in rows if row["object_id"].isdigit()}
    questions = {row["id"]: row for row in await Question.select(Question.id, Question.tracking_code).where(
        Question.id.is_in(list(ids) or [0]) & public_question())}
    out = []
    for row in reversed(rows):  # oldest first, of the newest read
        question = questions.get(int(row["object_id"])) if row["object_id"].isdigit() else None
        if question is None:
            continue
        out.append(ServiceRequestUpdate(
            update_id=str(row["id"]), service_request_id=display_code(question["tracking_code"]),
            status="closed" if row["to_state"] == Question.State.answered.value else "open",
            updated_datetime=moment(row["at"]) or "", description=public_action(row["action"]) or "", media_url=""))
    return out[-MAX_REQUESTS:]


# --- XML -------------------------------------------------------------------------------------------

# What XML 1.0 cannot carry at all (C0 controls but tab and newlines, surrogates, U+FFFE/FFFF):
# ElementTree would write them and leave the document unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value) -> str:
    return _NOT_XML.sub("", str(value))

def to_xml(root: str, item: str, records: list[Struct] | Struct) -> bytes:
    """The GeoReport v2 XML of records: <root><item><field>…</field>…</item>…</root> (a list), or
    <root><field>…</field></root> (one record, as discovery)."""
    element = ET.Element(root)

    def fill(parent: ET.Element, record: Struct) -> None:
        omit_defaults = record.__struct_config__.omit_defaults
        for info in structs.fields(record):
            field, value = info.name, getattr(record, info.name)
            if value is None or (omit_defaults and value == info.default):
                continue  # as the JSON leaves it out
            if isinstance(value, list):
                holder = ET.SubElement(parent, field)
                for entry in value:
                    if isinstance(entry, Struct):
                        fill(ET.SubElement(holder, field.rstrip("s")), entry)
                    else:
                        ET.SubElement(holder, "format" if field == "formats" else "value").text = _xml_text(entry)
                continue
            ET.SubElement(parent, field).text = ("true" if value else "false") if isinstance(value, bool) \
                else _xml_text(value)

    if isinstance(records, list):
        for record in records:
            fill(ET.SubElement(element, item), record)
    else:
        fill(element, records)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)
