"""The admin's pages: every change is validated, kept on a mistake, and written to the action log."""

import datetime as dt
import re

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.machine.log import ActionLog
from dialogue.reference.tables import Agency, Holiday, Topic
from tests.conftest import DEMO_ACCOUNTS, post_form, sign_in


@pytest.fixture
async def admin(demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["admin"])
    return demo_client


async def last_entry(action: str) -> dict:
    return await ActionLog.select().where(ActionLog.action == action).order_by(ActionLog.id, ascending=False) \
        .output(load_json=True).first()


async def test_creating_an_account_through_the_form(admin):
    agency = await Agency.select(Agency.id).where(Agency.short_name == "VH-XH").first()
    bad = await post_form(admin, "/admin/accounts/new", {
        "full_name": "Bùi Thị Hoa", "email": "hoa@", "role": "agency_officer", "agency": "", "password": "ngắn"})
    assert bad.status_code == 400
    assert 'value="Bùi Thị Hoa"' in bad.text and 'value="hoa@"' in bad.text  # nothing typed is lost
    for field in ("email", "agency", "password"):
        assert f'href="#{field}"' in bad.text

    response = await post_form(admin, "/admin/accounts/new", {
        "full_name": "Bùi Thị Hoa", "email": "hoa@dongda.demo", "role": "agency_officer",
        "agency": str(agency["id"]), "language": "vi", "password": "mật khẩu ban đầu"}, follow_redirects=False)
    assert response.status_code == 303
    created = await StaffUser.select().where(StaffUser.email == "hoa@dongda.demo").first()
    assert created["agency"] == agency["id"]
    entry = await last_entry("account_created")
    assert entry["object_id"] == str(created["id"]) and entry["details"]["role"] == "agency_officer"
    assert "Bùi Thị Hoa" in (await admin.get("/admin/accounts")).text


async def test_editing_an_account_is_logged_and_shown_in_its_history(admin):
    viewer = await StaffUser.select().where(StaffUser.email == "viewer@dongda.demo").first()
    response = await post_form(admin, f"/admin/accounts/{viewer['id']}", {
        "full_name": "Hoàng Văn Nam", "email": "viewer@dongda.demo", "role": "organiser", "unit": "00235",
        "language": "en", "active": "yes"}, follow_redirects=False)
    assert response.status_code == 303
    entry = await last_entry("account_updated")
    assert entry["details"] == {"role": ["viewer", "organiser"], "language": ["vi", "en"]}
    page = await admin.get(f"/admin/accounts/{viewer['id']}")
    assert "Quản trị hệ thống" in page.text and "role" in page.text  # the history names who changed what


async def test_resetting_a_password(admin):
    officer = await StaffUser.select().where(StaffUser.email == "officer@dongda.demo").first()
    short = await post_form(admin, f"/admin/accounts/{officer['id']}/password", {"password": "123"},
                            page=f"/admin/accounts/{officer['id']}")
    assert short.status_code == 400 and 'href="#password"' in short.text
    response = await post_form(admin, f"/admin/accounts/{officer['id']}/password", {"password": "mật khẩu mới tinh"},
                               page=f"/admin/accounts/{officer['id']}", follow_redirects=False)
    assert response.status_code == 303
    assert (await last_entry("password_reset"))["object_id"] == str(officer["id"])


async def test_agencies_are_created_and_changed(admin):
    bad = await post_form(admin, "/admin/agencies/new", {"name": "Ban Chỉ huy Quân sự phường", "short_name": "",
                                                         "unit": "12345", "email": "x"})
    assert bad.status_code == 400 and 'value="Ban Chỉ huy Quân sự phường"' in bad.text
    await post_form(admin, "/admin/agencies/new", {"name": "Ban Chỉ huy Quân sự phường Đống Đa", "short_name": "QS",
                                                   "unit": "00235", "email": "quansu@dongda.demo"})
    agency = await Agency.select().where(Agency.short_name == "QS").first()
    assert agency["name_folded"] == "ban chi huy quan su phuong dong da"
    await post_form(admin, f"/admin/agencies/{agency['id']}", {
        "name": agency["name"], "short_name": "BCHQS", "unit": "00235", "email": "", "active": ""})
    entry = await last_entry("agency_updated")
    assert entry["details"] == {"short_name": ["QS", "BCHQS"], "email": ["quansu@dongda.demo", ""],
                                "active": [True, False]}


async def test_topics_are_created_and_changed(admin):
    agency = await Agency.select(Agency.id).where(Agency.short_name == "CA").first()
    bad = await post_form(admin, "/admin/topics/new", {"code": "Bad Code!", "name_vi": "", "name_en": "Noise",
                                                       "audience": "aliens", "default_agency": "999999"})
    assert bad.status_code == 400
    for field in ("code", "name_vi", "audience", "default_agency"):
        assert f'href="#{field}"' in bad.text
    form = {"code": "noise", "name_vi": "Tiếng ồn, karaoke", "name_en": "Noise", "audience": "residents",
            "default_agency": str(agency["id"]), "position": "20"}
    shared = await post_form(admin, "/admin/topics/new", form)  # no unit: every unit may use it, no one agency
    assert shared.status_code == 400 and 'href="#default_agency"' in shared.text and 'value="Noise"' in shared.text
    await post_form(admin, "/admin/topics/new", {**form, "unit": "00235"})
    topic = await Topic.select(Topic.all_columns(), Topic.unit.code).where(Topic.code == "noise").first()
    assert topic["default_agency"] == agency["id"] and topic["unit.code"] == "00235"
    assert "00235" in (await admin.get(f"/admin/topics/{topic['id']}")).text
    assert (await last_entry("topic_created"))["object_id"] == str(topic["id"])
    duplicate = await post_form(admin, "/admin/topics/new", {"code": "noise", "name_vi": "X", "name_en": "X",
                                                             "audience": "everyone"})
    assert duplicate.status_code == 400


async def test_holidays_are_added_changed_and_removed(admin):
    weekday = await post_form(admin, "/admin/holidays/new", {"day": "02/12/2026", "kind": "workday", "name": "X"})
    assert weekday.status_code == 400 and 'href="#kind"' in weekday.text
    bad_date = await post_form(admin, "/admin/holidays/new", {"day": "31/02/2026", "kind": "holiday", "name": "X"})
    assert bad_date.status_code == 400 and 'value="31/02/2026"' in bad_date.text

    await post_form(admin, "/admin/holidays/new", {"day": "31/12/2026", "kind": "holiday", "name": "Nghỉ bù cuối năm"})
    holiday = await Holiday.select().where(Holiday.day == dt.date(2026, 12, 31)).first()
    assert holiday["source"] == "admin" and holiday["kind"] == "holiday"
    await post_form(admin, f"/admin/holidays/{holiday['id']}", {"day": "31/12/2026", "kind": "holiday",
                                                                "name": "Nghỉ theo quyết định"})
    assert (await last_entry("holiday_updated"))["details"]["name"] == ["Nghỉ bù cuối năm", "Nghỉ theo quyết định"]
    await post_form(admin, f"/admin/holidays/{holiday['id']}/delete", {}, page=f"/admin/holidays/{holiday['id']}")
    assert not await Holiday.exists().where(Holiday.id == holiday["id"])
    assert (await last_entry("holiday_deleted"))["details"]["name"] == "Nghỉ theo quyết định"


async def test_the_holiday_list_shows_tet(admin):
    page = await admin.get("/admin/holidays", params={"year": 2027})
    assert "06/02/2027" in page.text and "Tết Nguyên Đán" in page.text
    assert (await admin.get("/admin/holidays", params={"year": "abc"})).status_code == 400
    assert (await admin.get("/admin/holidays", params={"year": 99999})).status_code == 400


async def test_units_are_searched_and_reloaded(admin):
    page = await admin.get("/admin/units", params={"q": "dong da"})
    assert "Phường Đống Đa" in page.text and "00235" in page.text
    hanoi = (await admin.get("/admin/units", params={"province": "01"})).text
    assert "156 đơn vị" in hanoi and "Quận Ba Đình" in hanoi and "30/06/2025" in hanoi  # 126 communes, 30 old districts
    response = await post_form(admin, "/admin/units/reload", {}, page="/admin/units")
    assert response.status_code == 200
    assert "Đã nạp lại danh mục: added 0, updated 0, retired 0, unchanged " in response.text
    entry = await last_entry("units_reloaded")
    assert entry["details"] == {"added": 0, "updated": 0, "retired": 0}


def log_rows(html: str) -> list[tuple[str, str]]:
    """(what happened, where its object's link goes) for each row of the log table, top to bottom."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>.*?</tr>", body, re.S)
    found = []
    for row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        link = re.search(r'href="([^"]*)"', cells[2])
        found.append((cells[1], link.group(1) if link else re.sub(r"<[^>]+>", "", cells[2])))
    return found


def object_link(entry: dict) -> str:
    """Where the log links an entry's object (the pages each kind has)."""
    pages = {"holiday": "/admin/holidays/{}", "staff_user": "/admin/accounts/{}", "admin_unit": "/admin/units"}
    return pages[entry["object_type"]].format(entry["object_id"])


async def test_the_action_log_page_lists_changes_as_sentences(admin):
    await post_form(admin, "/admin/units/reload", {}, page="/admin/units")
    await post_form(admin, "/admin/holidays/new", {"day": "30/12/2026", "kind": "holiday", "name": "Nghỉ"})
    holiday = await Holiday.select(Holiday.id).where(Holiday.day == dt.date(2026, 12, 30)).first()
    page = await admin.get("/admin/log")
    assert page.status_code == 200
    assert log_rows(page.text)[:2] == [  # newest first, each a sentence naming who did it and on what
        ("Quản trị hệ thống đã thêm ngày vào lịch", f"/admin/holidays/{holiday['id']}"),
        ("Quản trị hệ thống đã nạp lại danh mục đơn vị hành chính", "/admin/units"),
    ]
    assert len(log_rows(page.text)) == min(50, await ActionLog.count())
    assert (await admin.get("/admin/log", params={"page": 0})).status_code == 400


async def test_the_action_log_pages_through_older_entries(admin):
    day = dt.date(2027, 10, 1)
    while await ActionLog.count() < 55:  # more than one page of 50
        if day.weekday() < 5:
            await post_form(admin, "/admin/holidays/new", {"day": f"{day:%d/%m/%Y}", "kind": "holiday", "name": "X"})
        day += dt.timedelta(days=1)
    newest_first = [object_link(e) for e in await ActionLog.select().order_by(ActionLog.id, ascending=False)]
    first = await admin.get("/admin/log")
    second = await admin.get("/admin/log", params={"page": 2})
    assert [obj for _, obj in log_rows(first.text)] == newest_first[:50]
    assert [obj for _, obj in log_rows(second.text)] == newest_first[50:100]
    assert 'href="/admin/log?page=2"' in first.text and 'href="/admin/log?page=1"' in second.text


@pytest.mark.parametrize("path", [
    "/admin/accounts/99999", "/admin/accounts/99999999999999999999", "/admin/agencies/0",
    "/admin/topics/123456", "/admin/holidays/999999",
])
async def test_unknown_ids_are_not_found(admin, path):
    assert (await admin.get(path)).status_code == 404


async def test_non_numeric_ids_are_refused_politely(admin):
    response = await admin.get("/admin/accounts/abc")
    assert response.status_code in (400, 404) and "<html" in response.text


async def test_every_required_select_starts_with_an_empty_placeholder(admin):
    """HTML: a required select must have an empty first option, so that nothing is chosen by default."""
    import re

    pages = ["/admin/accounts/new", "/admin/topics/new", "/conferences/1/ask"]
    topic = await Topic.select(Topic.id).first()
    pages.append(f"/admin/topics/{topic['id']}")
    seen = 0
    for path in pages:
        html = (await admin.get(path)).text
        for select in re.findall(r"<select[^>]*\brequired\b[^>]*>.*?</select>", html, re.S):
            first = re.search(r"<option([^>]*)>([^<]*)</option>", select)
            assert first and 'value=""' in first.group(1) and "selected" not in first.group(1), (path, select[:200])
            seen += 1
    assert seen >= 6
