"""The admin's changes to reference data: agencies, topics, holidays, and the unit map.

Each change is validated, made in one transaction with its action-log entry, and
answers bad input with a message per field.
"""

from __future__ import annotations

import datetime as dt
import re

from dialogue.core.db import write_transaction
from dialogue.core.errors import InvalidInput, NotFound
from dialogue.core.i18n import current_language, format_day
from dialogue.core.i18n import gettext as _
from dialogue.core.text import fold, parse_day, parse_id, tidy
from dialogue.core.validation import is_email_address
from dialogue.core.vocabulary import N_, declare_action
from dialogue.machine import log as audit
from dialogue.machine.actors import ADMIN_SCOPE, Actor, require
from dialogue.reference.loading import load_admin_units
from dialogue.reference.tables import AdminUnit, Agency, Holiday, Topic
from dialogue.reference.units import unit_path

HolidayKind = Holiday.Kind
declare_action("agency_created", N_("created the agency"))
declare_action("agency_updated", N_("changed the agency"))
declare_action("topic_created", N_("created the topic"))
declare_action("topic_updated", N_("changed the topic"))
declare_action("holiday_created", N_("added the day to the calendar"))
declare_action("holiday_updated", N_("changed the day in the calendar"))
declare_action("holiday_deleted", N_("removed the day from the calendar"))
declare_action("units_reloaded", N_("reloaded the map of administrative units"))
TOPIC_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def _text(form: dict, name: str, errors: dict, label_missing: str, max_length: int, required: bool = True) -> str:
    value = tidy(form.get(name))
    if required and not value:
        errors[name] = label_missing
    elif len(value) > max_length:
        errors[name] = _("Use at most %(count)s characters.", count=max_length)
    return value


async def _unit_id(code: str, errors: dict, field: str = "unit") -> int | None:
    row = await AdminUnit.select(AdminUnit.id).where(AdminUnit.code == code).first() if code else None
    if row is None:
        errors[field] = _("Enter the official code of an administrative unit, for example 00235.")
        return None
    return row["id"]


async def _save(actor: Actor, table, object_type: str, object_id: int | None, values: dict, now: dt.datetime) -> int:
    """Insert (object_id None) or update one row and log what changed."""
    async with write_transaction():
        if object_id is None:
            rows = await table.insert(table(**values)).returning(table.id)
            object_id = rows[0]["id"]
            await audit.record(actor, f"{object_type}_created", object_type, object_id, at=now, details=values)
            return object_id
        before = await table.select().where(table.id == object_id).first()
        if before is None:
            raise NotFound(_("This item no longer exists."))
        diff = audit.changes(before, values)
        if diff:
            await table.update({getattr(table, key): value for key, value in values.items()}) \
                .where(table.id == object_id)
            await audit.record(actor, f"{object_type}_updated", object_type, object_id, at=now, details=diff)
        return object_id


# --- Agencies ------------------------------------------------------------------------------

async def save_agency(actor: Actor, form: dict, now: dt.datetime, agency_id: int | None = None) -> int:
    require(actor, "administer", ADMIN_SCOPE)
    errors: dict[str, str] = {}
    name = _text(form, "name", errors, _("Enter the agency's name."), 200)
    short_name = _text(form, "short_name", errors, _("Enter a short name, for example CA."), 60)
    email = tidy(form.get("email")).lower()
    if email and not is_email_address(email):
        errors["email"] = _("Enter an e-mail address like name@example.vn.")
    unit = await _unit_id(tidy(form.get("unit")), errors)
    if errors:
        raise InvalidInput(errors)
    values = {"name": name, "short_name": short_name, "name_folded": fold(name), "unit": unit, "email": email,
              "active": form.get("active") == "yes" if agency_id else True}
    return await _save(actor, Agency, "agency", agency_id, values, now)


async def list_agencies(include_inactive: bool = True) -> list[dict]:
    query = Agency.select(Agency.all_columns(), Agency.unit.name.as_alias("unit_name"),
                          Agency.unit.code.as_alias("unit_code")).order_by(Agency.name)
    if not include_inactive:
        query = query.where(Agency.active == True)
    return await query


async def get_agency(agency_id: int) -> dict:
    row = await Agency.select(Agency.all_columns(), Agency.unit.code.as_alias("unit_code"),
                              Agency.unit.name.as_alias("unit_name")).where(Agency.id == agency_id).first()
    if row is None:
        raise NotFound(_("This item no longer exists."))
    return row


async def agency_names(agency_ids: list[int]) -> dict[int, str]:
    """Agencies' names by id (for the action log)."""
    rows = await Agency.select(Agency.id, Agency.name).where(Agency.id.is_in(agency_ids or [0]))
    return {row["id"]: row["name"] for row in rows}


# --- Topics --------------------------------------------------------------------------------

async def save_topic(actor: Actor, form: dict, now: dt.datetime, topic_id: int | None = None) -> int:
    require(actor, "administer", ADMIN_SCOPE)
    errors: dict[str, str] = {}
    code = tidy(form.get("code")).lower()
    if not TOPIC_CODE.match(code):
        errors["code"] = _("Use 2–40 lower-case letters, digits or underscores, starting with a letter.")
    else:
        clash = Topic.exists().where(Topic.code == code)
        if topic_id is not None:
            clash = clash.where(Topic.id != topic_id)
        if await clash:
            errors["code"] = _("Another topic already uses this code.")
    name_vi = _text(form, "name_vi", errors, _("Enter the Vietnamese name."), 150)
    name_en = _text(form, "name_en", errors, _("Enter the English name."), 150)
    audience = form.get("audience") or ""
    if audience not in {a.value for a in Topic.Audience}:
        errors["audience"] = _("Choose who asks about this topic.")
    unit_code = tidy(form.get("unit"))
    unit = await _unit_id(unit_code, errors) if unit_code else None  # none: every unit may use it
    agency_raw = (form.get("default_agency") or "").strip()
    default_agency = parse_id(agency_raw)
    agency = await Agency.select(Agency.unit).where(Agency.id == default_agency).first() if default_agency else None
    if agency_raw and agency is None:
        errors["default_agency"] = _("Choose an agency from the list.")
    elif agency and not unit_code:
        errors["default_agency"] = _("A topic every unit may use has no default agency: enter the topic's unit, "
                                     "or choose no agency.")
    elif agency and unit and agency["unit"] not in await unit_path(unit):
        # its questions would be routed, in bulk, to an agency of another unit
        errors["default_agency"] = _("This agency does not serve the topic's unit: choose an agency of that unit "
                                     "or of its province.")
    position_raw = (form.get("position") or "0").strip()
    if not re.fullmatch(r"[0-9]{1,4}", position_raw):
        errors["position"] = _("Enter a whole number from 0 to 9999.")
    if errors:
        raise InvalidInput(errors)
    values = {"code": code, "name_vi": name_vi, "name_en": name_en, "audience": audience, "unit": unit,
              "default_agency": default_agency, "position": int(position_raw),
              "active": form.get("active") == "yes" if topic_id else True}
    return await _save(actor, Topic, "topic", topic_id, values, now)


async def list_topics() -> list[dict]:
    return await Topic.select(Topic.all_columns(), Topic.default_agency.short_name.as_alias("agency_name"),
                              Topic.unit.name.as_alias("unit_name")).order_by(Topic.position).order_by(Topic.id)


async def get_topic(topic_id: int) -> dict:
    row = await Topic.select(Topic.all_columns(), Topic.unit.code.as_alias("unit_code")) \
        .where(Topic.id == topic_id).first()
    if row is None:
        raise NotFound(_("This item no longer exists."))
    return row


async def topic_names(topic_ids: list[int]) -> dict[int, str]:
    """Topics' names by id, in the reader's language (for the action log)."""
    rows = await Topic.select(Topic.id, Topic.name_vi, Topic.name_en).where(Topic.id.is_in(topic_ids or [0]))
    return {row["id"]: row["name_vi"] if current_language() == "vi" else row["name_en"] for row in rows}


# --- Holidays ------------------------------------------------------------------------------

async def save_holiday(actor: Actor, form: dict, now: dt.datetime, holiday_id: int | None = None) -> int:
    require(actor, "administer", ADMIN_SCOPE)
    errors: dict[str, str] = {}
    day = parse_day(form.get("day"))
    if day is None or not 2000 <= day.year <= 2100:
        errors["day"] = _("Enter a date as dd/mm/yyyy, for example 02/09/2026.")
    else:
        clash = Holiday.exists().where(Holiday.day == day)
        if holiday_id is not None:
            clash = clash.where(Holiday.id != holiday_id)
        if await clash:
            errors["day"] = _("This day is already in the calendar; edit it instead.")
    kind = form.get("kind") or ""
    if kind not in {k.value for k in Holiday.Kind}:
        errors["kind"] = _("Choose whether the day is a day off or a working day.")
    elif day and kind == Holiday.Kind.workday.value and day.weekday() < 5:
        errors["kind"] = _("Only a Saturday or Sunday can be made a working day.")
    elif day and kind == Holiday.Kind.holiday.value and day.weekday() >= 5:
        errors["kind"] = _("Saturdays and Sundays are already days off.")
    name = _text(form, "name", errors, _("Enter what the day is, for example Quốc khánh."), 150)
    if errors:
        raise InvalidInput(errors)
    values = {"day": day, "kind": kind, "name": name, "source": "admin"}
    return await _save(actor, Holiday, "holiday", holiday_id, values, now)


async def delete_holiday(actor: Actor, holiday_id: int, now: dt.datetime) -> None:
    require(actor, "administer", ADMIN_SCOPE)
    async with write_transaction():
        row = await Holiday.select().where(Holiday.id == holiday_id).first()
        if row is None:
            raise NotFound(_("This item no longer exists."))
        await Holiday.delete().where(Holiday.id == holiday_id)
        await audit.record(actor, "holiday_deleted", "holiday", holiday_id, at=now, details=row)


async def get_holiday(holiday_id: int) -> dict:
    row = await Holiday.select().where(Holiday.id == holiday_id).first()
    if row is None:
        raise NotFound(_("This item no longer exists."))
    return row


async def holiday_names(holiday_ids: list[int]) -> dict[int, str]:
    """Days off by id, as "name (day)" (for the action log)."""
    rows = await Holiday.select(Holiday.id, Holiday.name, Holiday.day).where(Holiday.id.is_in(holiday_ids or [0]))
    return {row["id"]: f"{row['name']} ({format_day(row['day'])})" for row in rows}


# --- The unit map --------------------------------------------------------------------------

async def reload_units(actor: Actor, now: dt.datetime) -> str:
    require(actor, "administer", ADMIN_SCOPE)
    report = await load_admin_units(now.date())
    async with write_transaction():
        await audit.record(actor, "units_reloaded", "admin_unit", "all", at=now, details={
            "added": report.added, "updated": report.updated, "retired": report.retired,
        })
    return str(report)
