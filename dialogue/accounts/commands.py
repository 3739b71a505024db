"""Staff accounts: passwords, sign-in with throttling, and the admin's account management."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import ipaddress
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dialogue.accounts.tables import SignInFailure, StaffUser
from dialogue.core.clock import as_utc
from dialogue.core.db import write_transaction
from dialogue.core.errors import InvalidInput, NotFound, Throttled
from dialogue.core.i18n import gettext as _
from dialogue.core.i18n import ngettext
from dialogue.core.text import parse_id, tidy
from dialogue.core.validation import is_email_address
from dialogue.core.vocabulary import N_, declare_action
from dialogue.machine import log as audit
from dialogue.machine.actors import ADMIN_SCOPE, AGENCY_ROLES, UNIT_ROLES, Actor, require
from dialogue.reference.tables import AdminUnit, Agency

declare_action("signed_in", N_("signed in"))
declare_action("signed_out", N_("signed out"))
declare_action("password_changed", N_("changed their password"))
declare_action("password_reset", N_("reset the password"))
declare_action("account_created", N_("created the account"))
declare_action("account_updated", N_("changed the account"))

HASHER = PasswordHasher()
# Verified when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = HASHER.hash("not a real password, used to equalise timing")
MIN_PASSWORD = 10
MAX_PASSWORD = 256
ROLES = [role.value for role in StaffUser.Role]
POSITION_MAX = 150  # the column's length: a job title such as 'Trưởng phòng Kinh tế, Hạ tầng và Đô thị'
PUBLIC_COLUMNS = (
    StaffUser.id, StaffUser.email, StaffUser.full_name, StaffUser.position, StaffUser.role, StaffUser.agency,
    StaffUser.unit, StaffUser.active, StaffUser.language, StaffUser.auth_version, StaffUser.last_sign_in_at,
)


@dataclass(frozen=True)
class ThrottlePolicy:
    """Sign-in throttling after OWASP's Authentication and Credential Stuffing cheat sheets: slow down, never
    lock. Failures of one account from one address (or with one device cookie) earn growing delays; a
    browser holding the account's device cookie is slowed only by failures made with that cookie, so
    nobody else's failures can keep its owner out."""

    secret: str  # signs device cookies
    max_failures: int = 5  # of one account from one address, or with one device cookie, before delays start
    max_account_failures: int = 20  # of one account from browsers without its device cookie, all addresses
    max_address_failures: int = 100  # from one address, all accounts: only against mass scanning
    window: dt.timedelta = dt.timedelta(hours=24)  # how long a failure counts
    max_delay: dt.timedelta = dt.timedelta(minutes=30)
    device_lifetime: dt.timedelta = dt.timedelta(days=180)


FIRST_DELAY = dt.timedelta(minutes=1)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


async def _verify(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return HASHER.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)  # argon2 takes ~50 ms of CPU: keep it off the event loop


def normalise_email(email: str | None) -> str:
    return tidy(email).lower()


def password_problem(password: str, email: str = "") -> str | None:
    if len(password) < MIN_PASSWORD:
        return _("Use at least %(count)s characters.", count=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return _("Use at most %(count)s characters.", count=MAX_PASSWORD)
    if len(set(password)) < 4 or (email and password.lower() == email.lower()):
        return _("This password is too easy to guess. Try a short sentence.")
    return None


# --- Sign-in and its throttle -------------------------------------------------------------

def address_key(address: str) -> str:
    """IPv6 clients usually hold a whole /64: count failures per /64, not per address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def delay_after(failures: int, allowed: int, max_delay: dt.timedelta) -> dt.timedelta:
    """None below the allowance; then a minute, doubled by every further failure, up to max_delay."""
    if failures < allowed:
        return dt.timedelta(0)
    return min(FIRST_DELAY * 2 ** min(failures - allowed, 32), max_delay)


async def _wait_needed(scope: str, key: str, allowed: int, now: dt.datetime, policy: ThrottlePolicy) -> int:
    """Seconds until the next attempt for this key is allowed (0: now), counted from its latest failure."""
    rows = await SignInFailure.select(SignInFailure.at).where(
        (SignInFailure.scope == scope) & (SignInFailure.key == key) & (SignInFailure.at > now - policy.window)
    ).order_by(SignInFailure.at, ascending=False).limit(allowed + 33)  # beyond that the delay is capped anyway
    delay = delay_after(len(rows), allowed, policy.max_delay)
    if not delay:
        return 0
    return max(0, math.ceil((as_utc(rows[0]["at"]) + delay - now).total_seconds()))


def _device_signature(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), f"device-cookie|{payload}".encode(), hashlib.sha256).hexdigest()


def new_device_token(user_id: int, now: dt.datetime, policy: ThrottlePolicy) -> str:
    """The value of the device cookie given at a successful sign-in: it names the account and this browser."""
    payload = f"{user_id}.{secrets.token_urlsafe(16)}.{int(now.timestamp())}"
    return f"{payload}.{_device_signature(policy.secret, payload)}"


def _device_of(token: str, user_id: int, now: dt.datetime, policy: ThrottlePolicy) -> str | None:
    """The device id a cookie carries, if it is ours, unexpired and names this account."""
    try:
        owner, device, issued, signature = token.split(".")
        expired = now.timestamp() - int(issued) > policy.device_lifetime.total_seconds()
    except ValueError:
        return None
    payload = f"{owner}.{device}.{issued}"
    # Bytes, not str: compare_digest refuses non-ASCII text, and a cookie may hold anything.
    if not hmac.compare_digest(signature.encode(), _device_signature(policy.secret, payload).encode()):
        return None
    return device if owner == str(user_id) and not expired else None


def _throttle_keys(email: str, client_key: str, device: str | None, policy: ThrottlePolicy) -> list[tuple]:
    """(scope, key, allowance) that this attempt is throttled by and its failure counts against; the first
    is this browser's own: its device cookie, or the account from its address."""
    if device:
        return [("device", device, policy.max_failures)]
    return [
        ("pair", f"{client_key} {email}"[:254], policy.max_failures),
        *([("account", email, policy.max_account_failures)] if email else []),
        ("address", client_key, policy.max_address_failures),
    ]


async def sign_in(
    email: str, password: str, address: str, now: dt.datetime, policy: ThrottlePolicy, devices: Iterable[str] = (),
) -> dict:
    """The account for these credentials, or InvalidInput / Throttled with a message to show. `devices`: the
    device cookies the browser sent (see new_device_token)."""
    email = normalise_email(email)[:254]  # longer is no account of ours; keep the key storable
    client_key = address_key(address)
    # Looked up first, whether the e-mail is known or not: the device cookie names the account by its id.
    user = await StaffUser.select(*PUBLIC_COLUMNS, StaffUser.password_hash).where(StaffUser.email == email).first()
    device = next(filter(None, (_device_of(token, user["id"], now, policy) for token in devices)), None) \
        if user else None
    keys = _throttle_keys(email, client_key, device, policy)
    wait = max([await _wait_needed(scope, key, allowed, now, policy) for scope, key, allowed in keys])
    if wait:
        minutes = math.ceil(wait / 60)
        raise Throttled(wait, ngettext(
            "Too many failed sign-in attempts. Please wait %(num)s minute and try again.",
            "Too many failed sign-in attempts. Please wait %(num)s minutes and try again.", minutes))

    # An unknown e-mail costs a verification too (of the dummy hash): the answer and its timing are the same.
    password_ok = await _verify(user["password_hash"] if user else _DUMMY_HASH, password or "")
    if not user or not password_ok:
        async with write_transaction():
            await SignInFailure.delete().where(SignInFailure.at < now - policy.window)  # counts no more
            await SignInFailure.insert(*(SignInFailure(scope=scope, key=key, at=now) for scope, key, _n in keys))
        raise InvalidInput({"email": _("The e-mail address or the password is not right.")})
    if not user["active"]:
        raise InvalidInput({"email": _("This account has been closed. Ask your administrator.")})

    async with write_transaction():
        # The failures of this browser (its address, or its device cookie) are forgiven; the account's and
        # the address's totals are not: they are mostly other people's, and only age out.
        own_scope, own_key, _n = keys[0]
        await SignInFailure.delete().where((SignInFailure.scope == own_scope) & (SignInFailure.key == own_key))
        await StaffUser.update({StaffUser.last_sign_in_at: now}).where(StaffUser.id == user["id"])
        if HASHER.check_needs_rehash(user["password_hash"]):
            await StaffUser.update({StaffUser.password_hash: hash_password(password)}).where(StaffUser.id == user["id"])
        await audit.record(Actor.staff(user), "signed_in", "staff_user", user["id"], at=now,
                           details={"address": client_key, "known_device": bool(device)})
    user.pop("password_hash")
    return user


async def record_sign_out(user: dict, now: dt.datetime) -> None:
    async with write_transaction():
        await audit.record(Actor.staff(user), "signed_out", "staff_user", user["id"], at=now)


async def active_user(user_id: int, auth_version: int) -> dict | None:
    """The signed-in user, if the account is still open and its password unchanged since sign-in."""
    user = await StaffUser.select(*PUBLIC_COLUMNS).where(StaffUser.id == user_id).first()
    if user is None or not user["active"] or user["auth_version"] != auth_version:
        return None
    return user


async def change_own_password(user: dict, current: str, new: str, confirm: str, now: dt.datetime) -> int:
    """Returns the new auth version: every other session of this account ends."""
    stored = await StaffUser.select(StaffUser.password_hash).where(StaffUser.id == user["id"]).first()
    errors: dict[str, str] = {}
    if not stored or not await _verify(stored["password_hash"], current or ""):
        errors["current_password"] = _("Your current password is not right.")
    problem = password_problem(new or "", user["email"])
    if problem:
        errors["new_password"] = problem
    elif new != confirm:
        errors["confirm_password"] = _("The two new passwords are not the same.")
    if errors:
        raise InvalidInput(errors)
    version = user["auth_version"] + 1
    async with write_transaction():
        await StaffUser.update({StaffUser.password_hash: hash_password(new), StaffUser.auth_version: version}) \
            .where(StaffUser.id == user["id"])
        await audit.record(Actor.staff(user), "password_changed", "staff_user", user["id"], at=now)
    return version


# --- The admin's account management ------------------------------------------------------



async def _validate_account(form: dict, creating: bool, user_id: int | None = None) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    values = {
        "email": normalise_email(form.get("email")),
        "full_name": tidy(form.get("full_name")),
        "position": tidy(form.get("position")),
        "role": (form.get("role") or "").strip(),
        "agency": (form.get("agency") or "").strip(),
        "unit": (form.get("unit") or "").strip(),
        "language": form.get("language") if form.get("language") in ("vi", "en") else "vi",
        "active": form.get("active") == "yes" if not creating else True,
    }
    if not values["email"]:
        errors["email"] = _("Enter an e-mail address.")
    elif not is_email_address(values["email"]):
        errors["email"] = _("Enter an e-mail address like name@example.vn.")
    else:
        clash = StaffUser.exists().where(StaffUser.email == values["email"])
        if user_id is not None:
            clash = clash.where(StaffUser.id != user_id)
        if await clash:
            errors["email"] = _("Another account already uses this e-mail address.")
    if not values["full_name"]:
        errors["full_name"] = _("Enter the person's full name.")
    elif len(values["full_name"]) > 150:
        errors["full_name"] = _("Use at most %(count)s characters.", count=150)
    if len(values["position"]) > POSITION_MAX:
        errors["position"] = _("Use at most %(count)s characters.", count=POSITION_MAX)
    if values["role"] not in ROLES:
        errors["role"] = _("Choose a role.")

    agency_id = parse_id(values["agency"])
    if values["role"] in AGENCY_ROLES:
        if agency_id is None or not await Agency.exists().where(Agency.id == agency_id):
            errors["agency"] = _("Choose the agency this person works for.")
    else:
        agency_id = None
    unit_id = None
    if values["role"] in UNIT_ROLES:
        unit = await AdminUnit.select(AdminUnit.id).where(AdminUnit.code == values["unit"]).first() \
            if values["unit"] else None
        if unit is None:
            errors["unit"] = _("Enter the official code of the commune, ward or province this person works in.")
        else:
            unit_id = unit["id"]
    if creating:
        problem = password_problem(form.get("password") or "", values["email"])
        if problem:
            errors["password"] = problem
    if errors:
        raise InvalidInput(errors)
    return values, {"agency": agency_id, "unit": unit_id}


async def create_account(actor: Actor, form: dict, now: dt.datetime) -> int:
    require(actor, "administer", ADMIN_SCOPE)
    values, links = await _validate_account(form, creating=True)
    password_hash = await asyncio.to_thread(hash_password, form["password"])
    async with write_transaction():
        rows = await StaffUser.insert(StaffUser(
            email=values["email"], full_name=values["full_name"], position=values["position"], role=values["role"],
            agency=links["agency"], unit=links["unit"], language=values["language"],
            password_hash=password_hash, active=True, created_at=now,
        )).returning(StaffUser.id)
        user_id = rows[0]["id"]
        await audit.record(actor, "account_created", "staff_user", user_id, at=now, to_state="active", details={
            "email": values["email"], "full_name": values["full_name"], "position": values["position"],
            "role": values["role"], **links,
        })
    return user_id


async def update_account(actor: Actor, user_id: int, form: dict, now: dt.datetime) -> None:
    require(actor, "administer", ADMIN_SCOPE)
    before = await StaffUser.select(*PUBLIC_COLUMNS).where(StaffUser.id == user_id).first()
    if before is None:
        raise NotFound(_("There is no such account."))
    values, links = await _validate_account(form, creating=False, user_id=user_id)
    if "position" not in form:  # a form from before the field existed leaves the job title as it was
        values["position"] = before["position"]
    if user_id == actor.staff_id and (not values["active"] or values["role"] != before["role"]):
        raise InvalidInput({"role": _("You cannot close your own account or change your own role.")})
    after = {"email": values["email"], "full_name": values["full_name"], "position": values["position"],
             "role": values["role"],
             "agency": links["agency"], "unit": links["unit"], "language": values["language"],
             "active": values["active"]}
    diff = audit.changes(before, after)
    if not diff:
        return
    # Closing an account or changing its powers ends its sessions.
    powers_changed = any(key in diff for key in ("active", "role", "agency", "unit"))
    update = {getattr(StaffUser, key): value for key, value in after.items()}
    if powers_changed:
        update[StaffUser.auth_version] = before["auth_version"] + 1
    async with write_transaction():
        await StaffUser.update(update).where(StaffUser.id == user_id)
        await audit.record(
            actor, "account_updated", "staff_user", user_id, at=now,
            from_state="active" if before["active"] else "closed",
            to_state="active" if values["active"] else "closed", details=diff,
        )


async def reset_password(actor: Actor, user_id: int, password: str, now: dt.datetime) -> None:
    require(actor, "administer", ADMIN_SCOPE)
    user = await StaffUser.select(*PUBLIC_COLUMNS).where(StaffUser.id == user_id).first()
    if user is None:
        raise NotFound(_("There is no such account."))
    problem = password_problem(password or "", user["email"])
    if problem:
        raise InvalidInput({"password": problem})
    password_hash = await asyncio.to_thread(hash_password, password)
    async with write_transaction():
        await StaffUser.update({StaffUser.password_hash: password_hash,
                                StaffUser.auth_version: user["auth_version"] + 1}).where(StaffUser.id == user_id)
        await audit.record(actor, "password_reset", "staff_user", user_id, at=now)


async def list_accounts() -> list[dict]:
    return await StaffUser.select(
        *PUBLIC_COLUMNS, StaffUser.agency.short_name.as_alias("agency_name"),
        StaffUser.unit.name.as_alias("unit_name"), StaffUser.unit.code.as_alias("unit_code"),
    ).order_by(StaffUser.role).order_by(StaffUser.email)


async def staff_names(user_ids: list[int]) -> dict[int, str]:
    """Staff members' names by id (for the action log)."""
    rows = await StaffUser.select(StaffUser.id, StaffUser.full_name).where(StaffUser.id.is_in(user_ids or [0]))
    return {row["id"]: row["full_name"] for row in rows}


async def get_account(user_id: int) -> dict:
    user = await StaffUser.select(
        *PUBLIC_COLUMNS, StaffUser.unit.code.as_alias("unit_code"), StaffUser.unit.name.as_alias("unit_name"),
        StaffUser.agency.name.as_alias("agency_name"),
    ).where(StaffUser.id == user_id).first()
    if user is None:
        raise NotFound(_("There is no such account."))
    return user


async def create_first_admin(email: str, full_name: str, password: str, now: dt.datetime) -> int:
    """For the command line: the first admin, before anyone can sign in to create accounts."""
    email = normalise_email(email)
    errors = {}
    if not is_email_address(email):
        errors["email"] = "Enter an e-mail address like name@example.vn."
    elif await StaffUser.exists().where(StaffUser.email == email):
        errors["email"] = "Another account already uses this e-mail address."
    problem = password_problem(password, email)
    if problem:
        errors["password"] = problem
    if not tidy(full_name):
        errors["full_name"] = "Enter the person's full name."
    if errors:
        raise InvalidInput(errors)
    async with write_transaction():
        rows = await StaffUser.insert(StaffUser(
            email=email, full_name=tidy(full_name), role=StaffUser.Role.admin.value,
            password_hash=hash_password(password), created_at=now,
        )).returning(StaffUser.id)
        await audit.record(Actor.system("create-admin command"), "account_created", "staff_user", rows[0]["id"],
                           at=now, to_state="active", details={"email": email, "role": "admin"})
    return rows[0]["id"]
