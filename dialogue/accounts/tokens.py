"""API tokens: how an agency's own system (its document system, say) reads the items assigned to the
agency and sends answer drafts and progress notes (web/agency_api.py).

A token belongs to one agency. An agency head or an admin creates it with a name, scopes and an
expiry; it is shown once and kept only as a SHA-256 hash (it has 256 random bits: a slow hash would
protect nothing more and cost every request). It can be revoked at once. Every creation, revocation
and use is in the action log. What a token acts as is an officer of its agency (machine/actors.py):
the same object-level rules as the agency's pages apply, and it never approves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from dialogue.accounts.tables import ApiToken
from dialogue.core.clock import as_utc
from dialogue.core.db import write_transaction
from dialogue.core.errors import InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import tidy, valid_id
from dialogue.core.vocabulary import N_, declare, declare_action
from dialogue.machine import log
from dialogue.machine.actors import Actor, ObjectScope, require
from dialogue.reference.tables import Agency

PREFIX = "dlg_"
SCOPES = ("read", "progress", "drafts")
declare("token_scope", {
    "read": N_("Read the agency's assigned questions and commitments"),
    "progress": N_("Post progress notes on its commitments"),
    "drafts": N_("Send answer drafts for the head's approval"),
})
MAX_DAYS = 366
DEFAULT_DAYS = 90
CREATED, REVOKED, USED, REFUSED = "api_token_created", "api_token_revoked", "api_token_used", "api_token_refused"
declare_action(CREATED, N_("created an API token"))
declare_action(REVOKED, N_("revoked an API token"))
declare_action(USED, N_("used the API"))
declare_action(REFUSED, N_("was refused: the token had expired or was revoked"))


class NotAuthenticated(Exception):
    """No token, or one that is unknown, expired or revoked: the same answer for all (nothing is revealed)."""


@dataclass(frozen=True)
class Authenticated:
    actor: Actor
    token_id: int
    scopes: frozenset[str]


def token_hash(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def _scope(agency_id: int) -> ObjectScope:
    return ObjectScope(agency_ids=frozenset({agency_id}))


async def _agency(agency_id) -> dict:
    row = await agency_named(agency_id) if valid_id(agency_id) else None
    if row is None:
        raise NotFound(_("There is no such agency."))
    return row


async def agency_named(agency_id: int | None) -> dict | None:
    """The agency (id, name), or None for none."""
    return await Agency.select(Agency.id, Agency.name).where(Agency.id == agency_id).first() if agency_id else None


async def agency_choices() -> list[dict]:
    """Every agency by name, for an admin's choice."""
    return await Agency.select(Agency.id, Agency.name).order_by(Agency.name)


async def of_agency(actor: Actor, agency_id: int, now: dt.datetime) -> list[dict]:
    """The agency's tokens, newest first, for those who manage them (never the token itself), each
    with whether it is `revoked` or `expired`."""
    await _agency(agency_id)
    require(actor, "manage_tokens", _scope(agency_id))
    rows = await ApiToken.select(
        ApiToken.id, ApiToken.name, ApiToken.scopes, ApiToken.hint, ApiToken.created_at, ApiToken.expires_at,
        ApiToken.revoked_at, ApiToken.last_used_at, ApiToken.created_by.full_name.as_alias("created_by_name"),
    ).where(ApiToken.agency == agency_id).order_by(ApiToken.id, ascending=False)
    return [{**row, "revoked": row["revoked_at"] is not None, "expired": as_utc(row["expires_at"]) <= as_utc(now)}
            for row in rows]


def validate(form: dict, now: dt.datetime) -> tuple[str, list[str], dt.datetime]:
    errors = {}
    name = tidy(form.get("name"))[:100]
    if not name:
        errors["name"] = _("Name the system that will use the token.")
    raw_scopes = form.get("scopes") or []
    scopes = [s for s in SCOPES if s in (raw_scopes if isinstance(raw_scopes, list) else [raw_scopes])]
    if not scopes:
        errors["scopes"] = _("Choose what the token may do.")
    raw_days = tidy(form.get("days")) or str(DEFAULT_DAYS)
    days = int(raw_days) if raw_days.isascii() and raw_days.isdigit() else 0
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = _("Enter a number of days from 1 to %(most)s.", most=MAX_DAYS)
    if errors:
        raise InvalidInput(errors)
    return name, scopes, now + dt.timedelta(days=days)


async def create(actor: Actor, agency_id: int, form: dict, now: dt.datetime) -> tuple[int, str]:
    """A new token for the agency: its id and the token itself, to be shown once."""
    await _agency(agency_id)
    require(actor, "manage_tokens", _scope(agency_id))
    name, scopes, expires_at = validate(form, now)
    plain = PREFIX + secrets.token_urlsafe(32)
    async with write_transaction():
        rows = await ApiToken.insert(ApiToken(
            agency=agency_id, name=name, scopes=",".join(scopes), token_hash=token_hash(plain),
            hint=plain[:len(PREFIX) + 4], created_by=actor.staff_id, created_at=now, expires_at=expires_at,
        )).returning(ApiToken.id)
        await log.record(actor, CREATED, "api_token", rows[0]["id"], at=now, details={
            "agency": agency_id, "name": name, "scopes": scopes, "expires_at": expires_at.isoformat()})
    return rows[0]["id"], plain


async def revoke(actor: Actor, token_id: int, now: dt.datetime) -> None:
    row = await ApiToken.select(ApiToken.id, ApiToken.agency, ApiToken.revoked_at).where(
        ApiToken.id == token_id).first() if valid_id(token_id) else None
    if row is None:
        raise NotFound(_("There is no such token."))
    require(actor, "manage_tokens", _scope(row["agency"]))
    if row["revoked_at"] is not None:
        return  # revoked already: nothing to do twice
    async with write_transaction():
        await ApiToken.update({ApiToken.revoked_at: now}).where(ApiToken.id == token_id)
        await log.record(actor, REVOKED, "api_token", token_id, at=now, details={"agency": row["agency"]})


async def authenticate(plain: str, now: dt.datetime, method: str, path: str) -> Authenticated:
    """The token's agency and scopes, the use logged; NotAuthenticated for anything else."""
    if not plain.startswith(PREFIX) or len(plain) > 100:
        raise NotAuthenticated()
    row = await ApiToken.select(ApiToken.id, ApiToken.agency, ApiToken.name, ApiToken.scopes, ApiToken.expires_at,
                                ApiToken.revoked_at, ApiToken.agency.active.as_alias("agency_active")).where(
        ApiToken.token_hash == token_hash(plain)).first()
    if row is None:
        raise NotAuthenticated()
    if row["revoked_at"] is not None or as_utc(row["expires_at"]) <= as_utc(now) or not row["agency_active"]:
        # a known token that no longer works: the attempt is worth knowing of (an unknown one is noise)
        await log.record(Actor.token(row["id"], row["name"], row["agency"]), REFUSED, "api_token", row["id"], at=now,
                         details={"method": method, "path": path[:200]})
        raise NotAuthenticated()
    actor = Actor.token(row["id"], row["name"], row["agency"])
    async with write_transaction():
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
        await log.record(actor, USED, "api_token", row["id"], at=now, details={"method": method, "path": path[:200]})
    return Authenticated(actor, row["id"], frozenset(row["scopes"].split(",")))
