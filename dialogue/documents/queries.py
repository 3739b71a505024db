"""What is read of the documents: the organisers' page, a draft to edit or preview, and the public
list and files (published versions only)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass

from dialogue.conferences.machine import CONFERENCE
from dialogue.conferences.queries import get_conference
from dialogue.core.calendar import local_today
from dialogue.core.db import Prepared
from dialogue.core.errors import NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import valid_id
from dialogue.documents.drafting import TYPE_WORDS, issuing_unit
from dialogue.documents.machine import DOCUMENT
from dialogue.documents.tables import ConferenceDocument
from dialogue.machine.actors import Actor, require
from dialogue.reference.tables import Agency
from dialogue.reference.units import scope_of_unit

D = ConferenceDocument
# Everything but the frozen renderings (large): lists and pages read these.
COLUMNS = (D.id, D.conference, D.unit, D.kind, D.edition, D.state, D.number, D.year, D.symbol, D.issued_on,
           D.content, D.correction_note, D.supersedes, D.published_at, D.published_by, D.version, D.created_at,
           D.updated_at)


def _loaded(row: dict) -> dict:
    row["content"] = json.loads(row["content"] or "{}")
    row["is_draft"] = DOCUMENT.is_in("editable", row["state"])
    row["is_published"] = DOCUMENT.is_in("public", row["state"])
    row["number_text"] = f"{row['number']}/{row['symbol']}" if row["number"] else ""
    row["type_word"] = TYPE_WORDS[row["kind"]]
    row["is_notice"] = row["kind"] == ConferenceDocument.Kind.notice.value
    return row


async def document_row(document_id: int | None) -> dict:
    row = await D.select(*COLUMNS).where(D.id == document_id).first() if document_id and valid_id(document_id) \
        else None
    if row is None:
        raise NotFound(_("There is no such document."))
    return _loaded(row)


DOCUMENTS = Prepared(D, lambda conference: D.select(*COLUMNS).where(D.conference == conference)
                     .order_by(D.kind).order_by(D.edition))  # on every conference page


async def documents_of(conference_id: int) -> list[dict]:
    """Every version of the conference's documents: the minutes first, each kind's oldest first."""
    return [_loaded(row) for row in await DOCUMENTS.rows(conference_id)]


async def latest_of(conference_id: int) -> list[dict]:
    """The latest version of each kind (a draft correction, or the published version, or the draft)."""
    latest: dict[str, dict] = {}
    for row in await documents_of(conference_id):
        latest[row["kind"]] = row
    return list(latest.values())


async def agency_names() -> dict[int, str]:
    return {row["id"]: row["name"] for row in await Agency.select(Agency.id, Agency.name)}


async def documents_page(actor: Actor, conference_id: int, now: dt.datetime) -> dict:
    """The organisers' page of the conference's documents: each version with what may be done."""
    conference = await get_conference(conference_id)
    require(actor, "organise", await scope_of_unit(conference["unit"]))
    documents = await documents_of(conference_id)
    replaced_ids = {row["supersedes"] for row in documents if row["supersedes"] and row["is_published"]}
    corrected_ids = {row["supersedes"] for row in documents if row["supersedes"]}
    latest_ids = {row["id"] for row in await latest_of(conference_id)}
    for row in documents:
        row["is_replaced"] = row["id"] in replaced_ids
        row["can_edit"] = row["is_draft"]
        row["can_correct"] = row["is_published"] and row["id"] in latest_ids and row["id"] not in corrected_ids
    drafts = [row for row in documents if row["is_draft"]]
    return {"conference": conference, "documents": documents, "can_publish": bool(drafts),
            "concludes": CONFERENCE.allows(conference["state"], "conclude"),
            "first_publication": bool(drafts) and all(row["edition"] == 1 for row in drafts),
            "tasks": sum(len(row["content"].get("tasks", [])) for row in drafts), "today": local_today(now)}


def form_values(doc: dict) -> dict[str, str]:
    """The draft as its form shows it: one field per part, tasks and items numbered from 0 (dates
    as dd/mm/yyyy, agencies as ids)."""
    content = doc["content"]
    values = {key: value for key, value in content.items() if isinstance(value, str)}
    for n, task in enumerate(content.get("tasks", [])):
        due = task.get("due_on") or ""
        with contextlib.suppress(ValueError):
            due = dt.date.fromisoformat(due).strftime("%d/%m/%Y")
        values.update({f"task-{n}-issue": task["issue"], f"task-{n}-lead_agency": str(task.get("lead_agency") or ""),
                       f"task-{n}-cooperating": ",".join(str(a) for a in task.get("cooperating", [])),
                       f"task-{n}-expected_output": task.get("expected_output", ""), f"task-{n}-due_on": due})
    for n, item in enumerate(content.get("items", [])):
        values.update({f"item-{n}-{key}": value for key, value in item.items() if isinstance(value, str)})
    values["correction_note"] = doc["correction_note"]
    values["version"] = str(doc["version"])
    return values


async def document_for_edit(actor: Actor, document_id: int) -> dict:
    doc = await document_row(document_id)
    conference = await get_conference(doc["conference"])
    require(actor, "organise", await scope_of_unit(conference["unit"]))
    replaced = await document_row(doc["supersedes"]) if doc["supersedes"] else None
    return {"conference": conference, "document": doc, "replaced": replaced, "saved_values": form_values(doc),
            "task_rows": list(range(len(doc["content"].get("tasks", [])) + 1)),
            "item_rows": list(range(len(doc["content"].get("items", []))))}


async def preview_data(actor: Actor, document_id: int, now: dt.datetime) -> dict:
    """What a draft looks like now (the published version is served as it was frozen)."""
    from dialogue.documents.rendering import view

    data = await document_for_edit(actor, document_id)
    doc = data["document"]
    return view(doc, await issuing_unit(doc["unit"]), await agency_names(), local_today(now), data["replaced"])


@dataclass(frozen=True)
class PublicDocument:
    """A published document as the public list shows it."""

    id: int
    kind: str
    type_word: str
    number_text: str
    issued_on: dt.date
    edition: int
    is_replaced: bool
    correction_note: str


async def public_documents(conference_id: int) -> list[PublicDocument]:
    rows = [row for row in await documents_of(conference_id) if row["is_published"]]
    replaced = {row["supersedes"] for row in rows if row["supersedes"]}
    return [PublicDocument(id=row["id"], kind=row["kind"], type_word=row["type_word"],
                           number_text=row["number_text"], issued_on=row["issued_on"], edition=row["edition"],
                           is_replaced=row["id"] in replaced, correction_note=row["correction_note"])
            for row in rows]


FORMATS = {"html": "html", "docx": "docx", "pdf": "pdf"}


async def public_file(conference_id: int, document_id: int, fmt: str) -> tuple[dict, str | bytes]:
    """A published document's frozen rendering; a draft, another conference's or an unknown format
    is not found."""
    column = FORMATS.get(fmt)
    if column is None or not valid_id(document_id) or not valid_id(conference_id):
        raise NotFound(_("There is no such document."))
    row = await D.select(D.id, D.kind, D.state, D.number, D.symbol, D.year, D.issued_on, getattr(D, column)).where(
        (D.id == document_id) & (D.conference == conference_id)).first()
    if row is None or not DOCUMENT.is_in("public", row["state"]):
        raise NotFound(_("There is no such document."))
    conference = await get_conference(conference_id)
    if not CONFERENCE.is_in("public", conference["state"]):
        raise NotFound(_("There is no such document."))
    return row, row[column]


def file_name(row: dict, fmt: str) -> str:
    """'Thông báo 1-TB-UBND 2026.pdf': Vietnamese, safe in a download header once encoded."""
    return f"{TYPE_WORDS[row['kind']]} {row['number']}-{row['symbol']} {row['year']}.{fmt}"
