"""Staff accounts as services: sign-in, throttling, passwords, the admin's changes, permissions."""

import datetime as dt

import pytest

from dialogue.accounts import commands as accounts
from dialogue.accounts.tables import SignInFailure, StaffUser
from dialogue.core.errors import Forbidden, InvalidInput, Throttled
from dialogue.machine import log as audit
from dialogue.machine.actors import Actor, ObjectScope, may, require
from dialogue.machine.log import ActionLog
from dialogue.reference.tables import AdminUnit, Agency
from dialogue.reference.units import scope_of_unit
from tests.conftest import DEMO_ACCOUNTS, DEMO_PASSWORD

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
POLICY = accounts.ThrottlePolicy(secret="test-secret-" + "x" * 40)  # 5 per pair, 20 per account, 100 per address


async def admin_actor() -> Actor:
    admin = await StaffUser.select().where(StaffUser.email == DEMO_ACCOUNTS["admin"]).first()
    return Actor.staff(admin)


async def test_sign_in_with_the_right_password_is_logged_and_clears_failures(demo_db):
    with pytest.raises(InvalidInput):
        await accounts.sign_in("organiser@dongda.demo", "wrong password!", "203.0.113.5", NOW, POLICY)
    assert await SignInFailure.count().where(SignInFailure.scope == "pair") == 1

    user = await accounts.sign_in("  Organiser@DongDa.demo ", DEMO_PASSWORD, "203.0.113.5", NOW, POLICY)
    assert user["email"] == "organiser@dongda.demo" and user["role"] == "organiser"
    assert "password_hash" not in user
    assert await SignInFailure.count().where(SignInFailure.scope == "pair") == 0  # this browser's are forgiven
    assert await SignInFailure.count().where(SignInFailure.scope == "account") == 1  # the account's total is not
    entry = await ActionLog.select().where(ActionLog.action == "signed_in").first()
    assert entry["actor"] == user["id"] and entry["object_id"] == str(user["id"])


async def test_unknown_account_and_wrong_password_get_the_same_message(demo_db):
    messages = []
    for email in ("nobody@dongda.demo", "organiser@dongda.demo"):
        with pytest.raises(InvalidInput) as error:
            await accounts.sign_in(email, "not the password", "203.0.113.5", NOW, POLICY)
        messages.append(error.value.errors)
    assert messages[0] == messages[1]


@pytest.mark.parametrize("failures, wait_minutes", [(4, 0), (5, 1), (6, 2), (7, 4), (9, 16), (10, 30), (40, 30)])
def test_delays_start_at_a_minute_and_double_up_to_the_cap(failures, wait_minutes):
    assert accounts.delay_after(failures, 5, dt.timedelta(minutes=30)) == dt.timedelta(minutes=wait_minutes)


async def test_one_account_from_one_address_waits_longer_and_longer_even_with_the_right_password(demo_db):
    at = NOW
    for n in range(5):
        with pytest.raises(InvalidInput):
            await accounts.sign_in("head@dongda.demo", f"guess-{n}-xyz", "198.51.100.7", at, POLICY)
    for minutes in (1, 2, 4, 8):
        with pytest.raises(Throttled) as error:
            await accounts.sign_in("head@dongda.demo", DEMO_PASSWORD, "198.51.100.7", at, POLICY)
        assert error.value.wait_seconds == minutes * 60 and f"chờ {minutes} phút" in str(error.value)
        at += dt.timedelta(minutes=minutes)
        with pytest.raises(InvalidInput):
            await accounts.sign_in("head@dongda.demo", "another-guess", "198.51.100.7", at, POLICY)
    # The same account from elsewhere, and another account from here, are not slowed.
    await accounts.sign_in("head@dongda.demo", DEMO_PASSWORD, "198.51.100.8", at, POLICY)
    await accounts.sign_in("officer@dongda.demo", DEMO_PASSWORD, "198.51.100.7", at, POLICY)
    # Failures older than the window count no more.
    await accounts.sign_in("head@dongda.demo", DEMO_PASSWORD, "198.51.100.7", at + POLICY.window, POLICY)


async def test_an_account_guessed_at_from_everywhere_slows_only_browsers_without_its_device_cookie(demo_db):
    head = await StaffUser.select(StaffUser.id).where(StaffUser.email == "head@dongda.demo").first()
    device = accounts.new_device_token(head["id"], NOW - dt.timedelta(days=30), POLICY)
    for n in range(20):
        with pytest.raises(InvalidInput):
            await accounts.sign_in("head@dongda.demo", f"guess-{n}", f"198.51.100.{n}", NOW, POLICY)
    with pytest.raises(Throttled):
        await accounts.sign_in("head@dongda.demo", DEMO_PASSWORD, "203.0.113.5", NOW, POLICY)
    await accounts.sign_in("head@dongda.demo", DEMO_PASSWORD, "203.0.113.5", NOW, POLICY, [device])
    # A device cookie of another account, an altered one or an expired one is no help.
    officer = await StaffUser.select(StaffUser.id).where(StaffUser.email == "officer@dongda.demo").first()
    altered = device[:-1] + ("1" if device.endswith("0") else "0")
    for useless in (accounts.new_device_token(officer["id"], NOW, POLICY), altered, "rác", "1.x.1.đ",
                    accounts.new_device_token(head["id"], NOW - POLICY.device_lifetime - dt.timedelta(days=1), POLICY),
                    accounts.new_device_token(head["id"], NOW, accounts.ThrottlePolicy(secret="another-secret"))):
        with pytest.raises(Throttled):
            await accounts.sign_in("head@dongda.demo", DEMO_PASSWORD, "203.0.113.5", NOW, POLICY, [useless])


async def test_an_address_waits_after_failures_across_many_accounts(demo_db):
    policy = accounts.ThrottlePolicy(secret="test-secret", max_address_failures=3)
    for n in range(3):
        with pytest.raises(InvalidInput):
            await accounts.sign_in(f"user{n}@example.vn", "whatever-123", "2001:db8::1", NOW, policy)
    # Same /64 network, another address: counted together.
    with pytest.raises(Throttled):
        await accounts.sign_in("viewer@dongda.demo", DEMO_PASSWORD, "2001:db8::ffff", NOW, policy)
    await accounts.sign_in("viewer@dongda.demo", DEMO_PASSWORD, "2001:db8:1::1", NOW, policy)


async def test_a_closed_account_cannot_sign_in(demo_db):
    await StaffUser.update({StaffUser.active: False}).where(StaffUser.email == "viewer@dongda.demo")
    with pytest.raises(InvalidInput) as error:
        await accounts.sign_in("viewer@dongda.demo", DEMO_PASSWORD, "203.0.113.5", NOW, POLICY)
    assert "closed" in error.value.errors["email"] or "khóa" in error.value.errors["email"]


@pytest.mark.parametrize("current, new, confirm, field", [
    ("wrong-current-password", "a new good password", "a new good password", "current_password"),
    (DEMO_PASSWORD, "short", "short", "new_password"),
    (DEMO_PASSWORD, "aaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaa", "new_password"),
    (DEMO_PASSWORD, "a new good password", "another password", "confirm_password"),
])
async def test_changing_ones_password_explains_each_mistake(demo_db, current, new, confirm, field):
    user = await accounts.active_user(
        (await StaffUser.select(StaffUser.id).where(StaffUser.email == "officer@dongda.demo").first())["id"], 1)
    with pytest.raises(InvalidInput) as error:
        await accounts.change_own_password(user, current, new, confirm, NOW)
    assert field in error.value.errors


async def test_changing_ones_password_ends_older_sessions(demo_db):
    row = await StaffUser.select(StaffUser.id).where(StaffUser.email == "officer@dongda.demo").first()
    user = await accounts.active_user(row["id"], 1)
    version = await accounts.change_own_password(
        user, DEMO_PASSWORD, "tôi đổi mật khẩu mới", "tôi đổi mật khẩu mới", NOW)
    assert version == 2
    assert await accounts.active_user(row["id"], 1) is None
    assert await accounts.active_user(row["id"], 2) is not None
    await accounts.sign_in("officer@dongda.demo", "tôi đổi mật khẩu mới", "203.0.113.5", NOW, POLICY)


async def test_creating_an_account_checks_role_agency_and_area(demo_db):
    actor = await admin_actor()
    agency = await Agency.select(Agency.id).where(Agency.short_name == "CA").first()
    with pytest.raises(InvalidInput) as error:
        await accounts.create_account(actor, {
            "email": "not-an-email", "full_name": "", "role": "agency_officer", "agency": "", "password": "short",
        }, NOW)
    assert set(error.value.errors) == {"email", "full_name", "agency", "password"}

    with pytest.raises(InvalidInput) as error:
        await accounts.create_account(actor, {
            "email": "organiser@dongda.demo", "full_name": "X", "role": "organiser", "unit": "99999",
            "password": "một mật khẩu đủ dài",
        }, NOW)
    assert set(error.value.errors) == {"email", "unit"}

    user_id = await accounts.create_account(actor, {
        "email": "Mai.Anh@DongDa.demo", "full_name": " Vũ  Mai\u200b Anh ", "role": "agency_officer",
        "agency": str(agency["id"]), "unit": "00235", "password": "một mật khẩu đủ dài",
    }, NOW)
    created = await StaffUser.select().where(StaffUser.id == user_id).first()
    assert created["email"] == "mai.anh@dongda.demo" and created["full_name"] == "Vũ Mai Anh"
    assert created["agency"] == agency["id"] and created["unit"] is None  # agency staff are scoped by agency
    entry = await ActionLog.select().where(ActionLog.action == "account_created").first()
    assert entry["actor"] == actor.staff_id and entry["object_id"] == str(user_id) and entry["to_state"] == "active"


async def test_closing_an_account_ends_its_sessions_and_is_logged(demo_db):
    actor = await admin_actor()
    target = await StaffUser.select().where(StaffUser.email == "viewer@dongda.demo").first()
    form = {"email": target["email"], "full_name": target["full_name"], "role": "viewer", "unit": "00235",
            "language": "vi", "active": ""}
    await accounts.update_account(actor, target["id"], form, NOW)
    after = await StaffUser.select().where(StaffUser.id == target["id"]).first()
    assert after["active"] is False and after["auth_version"] == target["auth_version"] + 1
    entry = await ActionLog.select().where(ActionLog.action == "account_updated").output(load_json=True).first()
    assert (entry["from_state"], entry["to_state"]) == ("active", "closed")
    assert entry["details"]["active"] == [True, False]


async def test_an_admin_cannot_close_their_own_account(demo_db):
    actor = await admin_actor()
    me = await StaffUser.select().where(StaffUser.id == actor.staff_id).first()
    with pytest.raises(InvalidInput):
        await accounts.update_account(actor, me["id"], {"email": me["email"], "full_name": me["full_name"],
                                                        "role": "admin", "active": ""}, NOW)


async def test_only_admins_manage_accounts(demo_db):
    organiser = Actor.staff(await StaffUser.select().where(StaffUser.email == "organiser@dongda.demo").first())
    before = await StaffUser.count()  # the demo's accounts, one per role
    with pytest.raises(Forbidden):
        await accounts.create_account(organiser, {"email": "x@y.vn", "full_name": "X", "role": "admin",
                                                  "password": "một mật khẩu đủ dài"}, NOW)
    assert await StaffUser.count() == before


# --- The object-level check every service uses -----------------------------------------------

def staff(role: str, agency: int | None = None, unit: int | None = None) -> Actor:
    return Actor(kind="staff", staff_id=1, role=role, agency_id=agency, unit_id=unit)


WARD, OTHER_WARD, PROVINCE = 10, 11, 1
IN_WARD = ObjectScope(unit_path=(WARD, PROVINCE), agency_ids=frozenset({7}))


@pytest.mark.parametrize("actor, action, allowed", [
    (staff("admin"), "organise", True),
    (staff("admin"), "administer", True),
    (staff("organiser", unit=WARD), "organise", True),
    (staff("organiser", unit=PROVINCE), "organise", True),  # a province organiser covers its communes
    (staff("organiser", unit=OTHER_WARD), "organise", False),
    (staff("organiser", unit=None), "organise", False),
    (staff("organiser", unit=WARD), "administer", False),
    (staff("secretary", unit=WARD), "record_session", True),
    (staff("secretary", unit=WARD), "organise", False),
    (staff("viewer", unit=WARD), "read", True),
    (staff("viewer", unit=WARD), "organise", False),
    (staff("agency_officer", agency=7), "answer", True),
    (staff("agency_officer", agency=8), "answer", False),  # agency B never reaches agency A's items
    (staff("agency_officer", agency=8), "read", False),
    (staff("agency_officer", agency=7), "approve", False),
    (staff("agency_head", agency=7), "approve", True),
    (staff("agency_head", agency=8), "approve", False),
    (Actor.public("ABC-123"), "read", False),
    (Actor.system("job"), "organise", False),
])
def test_may_checks_role_and_the_objects_scope(actor, action, allowed):
    assert may(actor, action, IN_WARD) is allowed
    if not allowed:
        with pytest.raises(Forbidden):
            require(actor, action, IN_WARD)


async def test_scope_of_a_unit_walks_up_to_its_province(demo_db):
    ward = await AdminUnit.select(AdminUnit.id, AdminUnit.parent).where(AdminUnit.code == "00235").first()
    scope = await scope_of_unit(ward["id"])
    assert scope.unit_path == (ward["id"], ward["parent"])


# --- The action log --------------------------------------------------------------------------

async def test_the_action_log_cannot_be_edited_or_deleted(db):
    await audit.record(Actor.system("test"), "something_done", "thing", 1, at=NOW, reason="because")
    with pytest.raises(Exception, match="append-only"):
        await ActionLog.update({ActionLog.reason: "rewritten"}).where(ActionLog.object_id == "1")
    with pytest.raises(Exception, match="append-only"):
        await ActionLog.delete().where(ActionLog.object_id == "1")
    rows = await ActionLog.select()
    assert len(rows) == 1 and rows[0]["reason"] == "because"


def test_changes_lists_only_what_differs():
    before = {"name": "A", "active": True, "day": dt.date(2026, 1, 1)}
    after = {"name": "B", "active": True, "day": dt.date(2026, 1, 2)}
    assert audit.changes(before, after) == {"name": ["A", "B"], "day": ["2026-01-01", "2026-01-02"]}
