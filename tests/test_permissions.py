"""Who may do what to which object (dialogue/machine/actors.py), written out by hand: each role,
each action, an object inside and outside the actor's area or agency. Pure: no database."""

import pytest

from dialogue.core.errors import Forbidden
from dialogue.core.i18n import language
from dialogue.machine.actors import ADMIN_SCOPE, Actor, ObjectScope, Role, may, require

WARD, PROVINCE, OTHER_WARD = 235, 1, 4
ECONOMY, POLICE = 2, 5
# A question of the ward (inside the province) assigned to the economy office.
HERE = ObjectScope(unit_path=(WARD, PROVINCE), agency_ids=frozenset({ECONOMY}))
ELSEWHERE = ObjectScope(unit_path=(OTHER_WARD, PROVINCE), agency_ids=frozenset({POLICE}))

ACTIONS = ["administer", "read", "organise", "record_session", "answer", "approve", "inspect", "handle_data_requests"]
# role -> the actions it may take on an object within its reach
ALLOWED = {
    "admin": {"administer", "read", "organise", "record_session", "inspect", "handle_data_requests"},
    "organiser": {"read", "organise", "record_session", "inspect"},
    "secretary": {"read", "record_session"},
    "viewer": {"read"},
    "inspector": {"read", "inspect"},  # surprise re-inspections of the area's commitments
    "data_protection": {"handle_data_requests"},  # the area's askers' personal-data requests, nothing else
    "agency_officer": {"read", "answer"},
    "agency_head": {"read", "answer", "approve"},
}


def staff(role: str, unit: int | None = None, agency: int | None = None) -> Actor:
    return Actor(kind="staff", staff_id=7, ref="someone@dongda.demo", role=role, agency_id=agency, unit_id=unit)


def within_reach(role: str) -> Actor:
    """A member of staff whose ward or agency the object HERE belongs to."""
    if role in ("agency_officer", "agency_head"):
        return staff(role, agency=ECONOMY)
    return staff(role, unit=None if role == "admin" else WARD)


def test_every_role_is_in_the_table():
    assert set(ALLOWED) == {role.value for role in Role}


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("action", ACTIONS)
def test_each_role_takes_only_its_own_actions(role, action):
    assert may(within_reach(role), action, HERE) is (action in ALLOWED[role])


@pytest.mark.parametrize("role", [r for r in ALLOWED if r != "admin"])
@pytest.mark.parametrize("action", ACTIONS)
def test_nobody_but_the_admin_reaches_another_area_or_agency(role, action):
    assert may(within_reach(role), action, ELSEWHERE) is False


def test_the_admin_reaches_everything_even_an_object_of_no_area():
    admin = staff("admin")
    for action in ("administer", "read", "organise", "record_session"):
        assert may(admin, action, ELSEWHERE) and may(admin, action, ADMIN_SCOPE)
    assert not may(admin, "answer", HERE) and not may(admin, "approve", HERE)


def test_an_organiser_of_the_province_reaches_its_wards():
    assert may(staff("organiser", unit=PROVINCE), "organise", HERE)
    assert may(staff("organiser", unit=PROVINCE), "organise", ELSEWHERE)
    assert not may(staff("organiser", unit=OTHER_WARD), "organise", HERE)


def test_only_the_admin_touches_reference_data():
    for role in ALLOWED:
        assert may(within_reach(role), "administer", ADMIN_SCOPE) is (role == "admin")
        assert may(within_reach(role), "read", ADMIN_SCOPE) is (role == "admin")


def test_staff_without_a_unit_or_an_agency_reach_nothing():
    for role in ("organiser", "secretary", "viewer", "inspector"):
        assert not may(staff(role, unit=None, agency=ECONOMY), "read", HERE)
    for role in ("agency_officer", "agency_head"):
        assert not may(staff(role, unit=WARD, agency=None), "read", HERE)
        assert not may(staff(role, agency=None), "read", ObjectScope(agency_ids=frozenset({None})))


def test_an_agency_reaches_only_objects_assigned_to_it_not_its_area():
    officer = staff("agency_officer", unit=WARD, agency=POLICE)
    assert not may(officer, "answer", HERE)
    assert may(officer, "answer", ObjectScope(unit_path=(WARD,), agency_ids=frozenset({ECONOMY, POLICE})))


def test_the_public_the_system_and_unknown_roles_or_actions_may_nothing():
    for actor in (Actor.public("ABCD1234EFGH5"), Actor.system("reminders"),
                  Actor(kind="public", role="admin", unit_id=WARD), Actor(kind="system", role="admin"),
                  staff("mayor", unit=WARD), staff("", unit=WARD)):
        for action in ACTIONS:
            assert not may(actor, action, HERE)
    assert not may(staff("admin"), "delete_everything", HERE)
    assert not may(staff("organiser", unit=WARD), "", HERE)


def test_require_refuses_politely_in_the_readers_language():
    require(staff("organiser", unit=WARD), "organise", HERE)  # allowed: nothing raised
    with language("vi"), pytest.raises(Forbidden) as refused:
        require(staff("viewer", unit=WARD), "organise", HERE)
    assert str(refused.value) == "Bạn không có quyền thực hiện thao tác này."
    with language("en"), pytest.raises(Forbidden) as refused:
        require(Actor.public("x"), "read", HERE)
    assert str(refused.value) == "You do not have permission to do this."


def test_actors_are_built_from_what_they_are():
    user = {"id": 12, "role": "agency_head", "email": "head@dongda.demo", "agency": ECONOMY, "unit": None}
    assert Actor.staff(user) == Actor(kind="staff", staff_id=12, ref="head@dongda.demo", role="agency_head",
                                      agency_id=ECONOMY, unit_id=None)
    assert Actor.staff({"id": 3, "role": "organiser", "email": "o@x.vn", "unit": WARD}).unit_id == WARD
    assert Actor.staff({"id": 3, "role": "organiser", "email": "o@x.vn"}).agency_id is None
    assert Actor.public("ABCD") == Actor(kind="public", ref="ABCD")
    assert Actor.system("reminders") == Actor(kind="system", ref="reminders")
    assert Actor.public("ABCD").staff_id is None and Actor.system("x").role == ""


def test_an_empty_scope_belongs_to_no_area_and_no_agency():
    assert ObjectScope() == ADMIN_SCOPE
    assert ADMIN_SCOPE.unit_path == () and ADMIN_SCOPE.agency_ids == frozenset()
