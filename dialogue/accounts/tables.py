"""Staff accounts, their sessions and the sign-in throttle."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Boolean, Bytea, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from dialogue.machine.actors import Role
from dialogue.reference.tables import AdminUnit, Agency


class StaffUser(Table, tablename="staff_user"):
    """Someone who signs in: organisers, secretaries, agency staff, leaders, admins."""

    Role = Role  # declared with the permission rules (dialogue.machine.actors)

    email = Varchar(length=254, unique=True, index=True, help_text="Stored lower-case.")
    full_name = Varchar(length=150)
    position = Varchar(length=150, default="",
                       help_text="Job title, e.g. 'Trưởng phòng': the monthly report names heads by it.")
    password_hash = Varchar(length=200)
    role = Varchar(length=20, choices=Role, index=True)
    agency = ForeignKey(Agency, null=True, default=None, help_text="Required for agency roles.")
    unit = ForeignKey(AdminUnit, null=True, default=None,
                      help_text="The area an organiser, secretary or viewer works in.")
    active = Boolean(default=True)
    language = Varchar(length=2, default="vi")
    auth_version = Integer(default=1, help_text="Raised on password change or deactivation: older sessions end.")
    created_at = Timestamptz(default=TimestamptzNow())
    last_sign_in_at = Timestamptz(null=True, default=None)


class SessionRecord(Table, tablename="session_record"):
    """Server-side session data (Litestar's Store on our database), shared by every worker."""

    key = Varchar(length=128, unique=True, index=True)
    value = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)


class SignInFailure(Table, tablename="sign_in_failure"):
    """One failed sign-in, counted under each key that throttles the next attempts (see ThrottlePolicy)."""

    class Scope(str, Enum):
        pair = "pair"  # one account from one address: "<address> <e-mail>"
        device = "device"  # the device id of a device cookie
        account = "account"  # one account from browsers without its device cookie
        address = "address"  # one address (an IPv6 /64), all accounts

    scope = Varchar(length=8, choices=Scope)
    key = Varchar(length=254, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)


class ApiToken(Table, tablename="api_token"):
    """A key an agency's own system uses on /api/v1/agency: named, scoped, with an expiry, shown
    once and kept only as a hash (accounts/tokens.py). Revoked, never deleted: the action log of its
    uses points at it."""

    agency = ForeignKey(Agency, null=False, index=True)
    name = Varchar(length=100, help_text="What the agency calls the system that uses it.")
    scopes = Varchar(length=60, help_text="Comma-separated: read, progress, drafts.")
    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the token (it has 256 random bits).")
    hint = Varchar(length=12, help_text="The token's first characters, to tell tokens apart.")
    created_by = ForeignKey(StaffUser, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
