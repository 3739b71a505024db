"""Staff reading an asker's personal data is itself logged (Law 91/2025/QH15): who opened which asker's
name and contacts, when and where; pages that show no asker log nothing; staff who may not open the
page neither see nor log anything. Built on the demo's concluded conference, whose drainage asker's
name, phone and e-mail are set to values no page but the organisers' may show."""

import pytest

from dialogue.accounts.commands import hash_password
from dialogue.accounts.tables import StaffUser
from dialogue.machine.log import ActionLog
from dialogue.privacy.access import views_of
from dialogue.questions.tables import Question
from dialogue.reference.tables import AdminUnit
from tests.conftest import DEMO_ACCOUNTS, sign_in
from tests.test_accountability import SECRET, concluded_record


@pytest.fixture
async def drainage(demo_db) -> dict:
    """The drainage question of the concluded conference: routed to KT-HT-ĐT and answered."""
    record = await concluded_record(demo_db)
    return await Question.select().where(Question.asker_name == SECRET["asker_name"]).first() | {
        "code": record["codes"]["drainage"]}


async def viewed() -> list[dict]:
    return await ActionLog.select().where(ActionLog.action == "personal_data_viewed").output(load_json=True)


async def test_opening_the_question_page_as_organiser_logs_one_reading(drainage, demo_client, clock):
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    assert await viewed() == []  # signing in, the home page: no asker shown
    page = await demo_client.get(f"/organiser/questions/{drainage['id']}")
    assert page.status_code == 200 and SECRET["asker_name"] in page.text
    organiser = await StaffUser.select().where(StaffUser.email == DEMO_ACCOUNTS["organiser"]).first()
    [entry] = await viewed()
    assert (entry["actor_kind"], entry["actor"], entry["object_type"], entry["object_id"], entry["at"],
            entry["details"]) == ("staff", organiser["id"], "question", str(drainage["id"]), clock.now,
                                  {"where": "organiser_question"})
    # a reading is no step of the question: its history on the page does not grow with every visit
    assert "opened the asker" not in page.text and "đã mở họ tên" not in page.text

    clock.advance(minutes=10)
    await demo_client.get(f"/organiser/questions/{drainage['id']}")
    views = await views_of(drainage["id"])
    assert views == [
        {"at": clock.now, "full_name": "Nguyễn Thị Lan", "position": "Chuyên viên Văn phòng HĐND và UBND",
         "role": "organiser", "where": "organiser_question"},
        {"at": entry["at"], "full_name": "Nguyễn Thị Lan", "position": "Chuyên viên Văn phòng HĐND và UBND",
         "role": "organiser", "where": "organiser_question"},
    ]
    assert await views_of(drainage["id"] + 1000) == []


async def test_the_agency_sees_no_asker_and_nothing_is_logged(drainage, demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])  # KT-HT-ĐT, which answered it
    question_page = await demo_client.get(f"/agency/questions/{drainage['id']}")
    assert question_page.status_code == 200 and drainage["code"] in question_page.text
    for page in (question_page, await demo_client.get("/agency/"), await demo_client.get("/agency/?role=lead")):
        assert page.status_code == 200
        for secret in SECRET.values():
            assert secret not in page.text, (page.url, secret)
    assert await viewed() == [] and await views_of(drainage["id"]) == []


async def test_staff_who_may_not_open_the_page_see_nothing_and_nothing_is_logged(drainage, demo_client):
    other = await AdminUnit.select(AdminUnit.id).where(AdminUnit.code == "00004").first()
    await StaffUser.insert(StaffUser(email="organiser@badinh.demo", full_name="Phạm Văn Tú", role="organiser",
                                     unit=other["id"], password_hash=hash_password("mật khẩu ba đình")))
    await sign_in(demo_client, "organiser@badinh.demo", "mật khẩu ba đình")
    page = await demo_client.get(f"/organiser/questions/{drainage['id']}")
    assert page.status_code in (403, 404) and SECRET["asker_name"] not in page.text
    demo_client.cookies.clear()

    # an officer of an agency the question was never sent to (the ward police)
    await sign_in(demo_client, "police@dongda.demo")
    page = await demo_client.get(f"/agency/questions/{drainage['id']}")
    assert page.status_code in (403, 404) and SECRET["asker_name"] not in page.text
    assert await viewed() == []
