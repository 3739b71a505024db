"""The administrative map and the holiday calendar, loaded from their libraries."""

import datetime as dt

from dialogue.conferences.tables import Conference
from dialogue.demo import load_demo
from dialogue.reference.loading import list_holidays, list_units, load_admin_units, seed_holidays
from dialogue.reference.tables import AdminUnit, Agency, Holiday, Topic

TODAY = dt.date(2026, 11, 25)


async def test_the_two_level_map_is_loaded_with_official_codes(db):
    report = await load_admin_units(TODAY)
    assert report.added == 34 + 3321 and report.updated == report.retired == 0

    in_force = AdminUnit.valid_to.is_null()
    assert await AdminUnit.count().where((AdminUnit.level == "province") & in_force) == 34
    assert await AdminUnit.count().where((AdminUnit.level == "commune") & in_force) == 3321
    hanoi = await AdminUnit.objects().get(AdminUnit.code == "01")
    assert hanoi.name == "Thành phố Hà Nội" and hanoi.kind == "thành phố trung ương"
    assert await AdminUnit.count().where((AdminUnit.parent == hanoi.id) & in_force) == 126
    dong_da = await AdminUnit.select(AdminUnit.name, AdminUnit.kind, AdminUnit.parent.code, AdminUnit.valid_from) \
        .where(AdminUnit.code == "00235").first()
    assert dong_da == {"name": "Phường Đống Đa", "kind": "phường", "parent.code": "01",
                       "valid_from": dt.date(2025, 7, 1)}
    assert await AdminUnit.count().where(AdminUnit.kind == "đặc khu") == 13


async def test_the_old_map_is_kept_for_old_records(db):
    report = await load_admin_units(TODAY)
    assert await AdminUnit.count().where(AdminUnit.level == "district") == 696
    ba_dinh = await AdminUnit.select(AdminUnit.name, AdminUnit.parent.code, AdminUnit.valid_to) \
        .where(AdminUnit.code == "001").first()
    assert ba_dinh == {"name": "Quận Ba Đình", "parent.code": "01", "valid_to": dt.date(2025, 6, 30)}
    ha_giang = await AdminUnit.objects().get(AdminUnit.code == "02")  # merged into Tuyên Quang
    assert ha_giang.name == "Tỉnh Hà Giang" and ha_giang.valid_to == dt.date(2025, 6, 30)
    # 29 provinces were merged away; their codes are not reused by the new map.
    assert await AdminUnit.count().where((AdminUnit.level == "province") & AdminUnit.valid_to.is_not_null()) == 29
    assert report.legacy_added == 29 + 696
    assert await load_admin_units(TODAY) == type(report)(unchanged=34 + 3321)


async def test_reloading_changes_nothing_and_retires_units_that_left_the_map(db):
    await load_admin_units(TODAY)
    hanoi = await AdminUnit.objects().get(AdminUnit.code == "01")
    # A commune the new release no longer has.
    await AdminUnit.insert(AdminUnit(code="99999", name="Phường Cũ", name_folded="phuong cu", kind="phường",
                                     level="commune", parent=hanoi.id))
    await AdminUnit.update({AdminUnit.name: "Phường Sai Tên"}).where(AdminUnit.code == "00235")

    report = await load_admin_units(TODAY)
    assert (report.added, report.updated, report.retired) == (0, 1, 1)
    assert report.unchanged == 34 + 3321 - 1
    assert (await AdminUnit.objects().get(AdminUnit.code == "00235")).name == "Phường Đống Đa"
    assert (await AdminUnit.objects().get(AdminUnit.code == "99999")).valid_to == TODAY
    assert (await AdminUnit.objects().get(AdminUnit.code == "001")).valid_to == dt.date(2025, 6, 30)

    again = await load_admin_units(TODAY)
    assert (again.added, again.updated, again.retired) == (0, 0, 0)


async def test_units_are_found_without_diacritics(db):
    await load_admin_units(TODAY)
    found = [u["name"] for u in await list_units(search="dong da")]
    assert found[:2] == ["Phường Đống Đa", "Xã Đồng Đăng"] and "Xã Đại Đồng" in found
    assert [u["code"] for u in await list_units(search="ha noi")] == ["01"]
    assert len(await list_units()) == 34
    assert len(await list_units(province="01")) == 126


async def test_holidays_are_seeded_with_tet_and_swapped_working_days(db):
    report = await seed_holidays(2026, 2027)
    assert report.added > 20
    days = {row["day"]: row for row in await list_holidays(2026)}
    assert days[dt.date(2026, 2, 17)]["name"] == "Tết Nguyên Đán"
    assert all(days[dt.date(2026, 2, d)]["kind"] == "holiday" for d in range(16, 21))
    # 22/08/2026 (a Saturday) is worked to make 31/08 a bridge day off.
    assert days[dt.date(2026, 8, 22)]["kind"] == "workday"
    assert days[dt.date(2026, 8, 31)]["kind"] == "holiday"
    assert days[dt.date(2026, 9, 2)]["name"] == "Quốc khánh"


async def test_reseeding_keeps_what_the_admin_edited(db):
    await seed_holidays(2026, 2026)
    await Holiday.update({Holiday.name: "Nghỉ theo quyết định của UBND", Holiday.source: "admin"}) \
        .where(Holiday.day == dt.date(2026, 1, 1))
    await Holiday.insert(Holiday(day=dt.date(2026, 12, 31), kind="holiday", name="Nghỉ bổ sung", source="admin"))
    report = await seed_holidays(2026, 2026)
    assert report.added == report.updated == 0
    assert (await Holiday.objects().get(Holiday.day == dt.date(2026, 1, 1))).name == "Nghỉ theo quyết định của UBND"
    assert await Holiday.exists().where(Holiday.day == dt.date(2026, 12, 31))


async def test_the_demo_loads_once(db):
    first = await load_demo(TODAY)
    assert first == {"agencies": 5, "topics": 14, "conferences": 1, "accounts": 13, "questions": 42}
    assert await load_demo(TODAY) == {"agencies": 0, "topics": 0, "conferences": 0, "accounts": 0, "questions": 0}
    assert await Agency.count() == 5 and await Topic.count() == 14 and await Conference.count() == 1
    conference = await Conference.objects(Conference.unit).first()
    assert conference.unit.code == "00235" and conference.state == "open"
    assert conference.questions_open_at < conference.questions_close_at < conference.starts_at
    land = await Topic.objects(Topic.default_agency).get(Topic.code == "land")
    assert land.default_agency.short_name == "KT-HT-ĐT"
