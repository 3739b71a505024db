"""Questions asked in the hall: the secretary records one in a few seconds and it then lives like a
question sent online (routed, answered, followed with its tracking code). It is accepted at once: it
was put to the conference in person, so there is nothing to screen."""

from __future__ import annotations

import datetime as dt
import secrets

from dialogue.conferences.queries import area_options, conference_topics
from dialogue.core import validation
from dialogue.core.db import write_transaction
from dialogue.core.errors import InvalidInput
from dialogue.core.i18n import gettext as _
from dialogue.core.text import fold, paragraphs, parse_id, safe_token, tidy
from dialogue.machine import events, log
from dialogue.machine.actors import Actor, require
from dialogue.questions import similarity
from dialogue.questions.intake import NOTIFY_CHOICES, default_channel, new_tracking_code, token_hash
from dialogue.questions.tables import Question
from dialogue.reference.units import scope_of_unit

MAX_TEXT = 4000
TITLE_LENGTH = 80  # the title is the text's beginning: nobody types a title in the hall


async def _validate(conference: dict, form: dict) -> dict:
    errors: dict[str, str] = {}
    kind = form.get("asker_kind", "")
    if kind not in {k.value for k in Question.AskerKind}:
        errors["asker_kind"] = _("Choose who is asking.")
    units = {unit["id"] for unit in await area_options(conference)}
    unit = parse_id(form.get("unit"))
    if unit not in units:
        errors["unit"] = _("Choose the area the question is about.")
    topics = {topic["id"] for topic in await conference_topics(conference["id"])}
    topic = parse_id(form.get("topic"))
    if topic not in topics:
        errors["topic"] = _("Choose the topic of the question.")
    body = paragraphs(form.get("body"))
    if len(body) < 5:
        errors["body"] = _("Write the question as it was asked.")
    elif len(body) > MAX_TEXT:
        errors["body"] = _("Use at most %(count)s characters.", count=MAX_TEXT)
    email = phone = ""
    contact = tidy(form.get("contact"))
    if contact:
        try:
            if "@" in contact:
                email = validation.email_address(contact)
            else:
                phone = validation.phone_number(contact)
        except ValueError as error:
            errors["contact"] = str(error)
    if errors:
        raise InvalidInput(errors)
    title = tidy(body.split("\n")[0])
    if len(title) > TITLE_LENGTH:
        title = title[:TITLE_LENGTH - 1].rstrip() + "…"
    return {"asker_kind": kind, "unit": unit, "topic": topic, "body": body, "title": title,
            "asker_email": email, "asker_phone": phone}


async def record_floor_question(actor: Actor, conference: dict, form: dict, now: dt.datetime,
                                channels: tuple[str, ...] = NOTIFY_CHOICES) -> dict:
    """Write the question (accepted, origin "floor"), its log entry and its live event in one
    transaction, and return the row. The same form sent twice (its form_token) creates one question.
    A mobile left in the hall hears by SMS where SMS is among `channels` (intake.offered_channels)."""
    require(actor, "record_session", await scope_of_unit(conference["unit"]))
    form_token = safe_token(form.get("form_token"))[:64]
    if form_token:
        existing = await Question.select().where(Question.form_token == form_token).first()
        if existing:
            return existing
    values = await _validate(conference, form)
    code = new_tracking_code()
    question = Question(
        conference=conference["id"], tracking_code=code, manage_token_hash=token_hash(secrets.token_urlsafe(32)),
        form_token=form_token or f"floor-{secrets.token_urlsafe(16)}", asker_name="",
        search_folded=fold(values["title"] + " " + values["body"]), answer_mode=Question.AnswerMode.session.value,
        public_consent=form.get("public_consent") == "yes", data_consent_at=now, language="vi",
        state=Question.State.accepted.value, origin=Question.Origin.floor.value, submitted_from="floor",
        created_at=now, updated_at=now, **values,
        notify_by=default_channel(values["asker_email"], values["asker_phone"], channels),
    )
    async with write_transaction():
        rows = await Question.insert(question).returning(Question.id)
        question_id = rows[0]["id"]
        await similarity.keep(question_id)
        await log.record(actor, "floor_recorded", "question", question_id, at=now,
                         to_state=Question.State.accepted.value)
        await events.record(now, [f"question:{question_id}", f"conference:{conference['id']}"], "floor_recorded",
                            {"entity": "question", "id": question_id, "from": "",
                             "to": Question.State.accepted.value})
    return {**question.to_dict(), "id": question_id}
