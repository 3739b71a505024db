"""Reference data: loading the administrative map and the holiday calendar, listing them.

The map comes from the `vietnam-provinces` package (official codes, the tree in
force since 1 July 2025); the calendar from the `holidays` library. Both loads
are idempotent: running them again changes only what changed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import holidays
import vietnam_provinces
from vietnam_provinces import Province, Ward

from dialogue.core.db import write_transaction
from dialogue.core.text import fold
from dialogue.reference.tables import AdminUnit, Holiday

TWO_LEVEL_SINCE = dt.date(2025, 7, 1)  # districts abolished; communes report to provinces
LAST_DAY_OF_THREE_LEVELS = TWO_LEVEL_SINCE - dt.timedelta(days=1)
# Districts and merged provinces of the old map, extracted from vietnam-provinces 0.6.0
# (see dialogue/data/README.md), so that old records keep pointing at a real unit.
LEGACY_FILE = Path(__file__).resolve().parent.parent / "data" / "legacy-divisions-2025-01.json"
BATCH = 500


@dataclass
class LoadReport:
    added: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    legacy_added: int = 0

    def __str__(self) -> str:
        text = f"added {self.added}, updated {self.updated}, retired {self.retired}, unchanged {self.unchanged}"
        return text + (f", legacy units added {self.legacy_added}" if self.legacy_added else "")


def province_code(code: int) -> str:
    return f"{int(code):02d}"


def commune_code(code: int) -> str:
    return f"{int(code):05d}"


def _official_units() -> list[dict]:
    """Provinces first, then communes, as rows ready to store (parent as a code)."""
    source = f"vietnam-provinces {vietnam_provinces.__version__}"
    rows = [
        dict(code=province_code(p.code), name=p.name, kind=p.division_type.value,
             level=AdminUnit.Level.province.value, parent_code=None, source=source)
        for p in sorted(Province.iter_all(), key=lambda p: p.code)
    ]
    rows += [
        dict(code=commune_code(w.code), name=w.name, kind=w.division_type.value,
             level=AdminUnit.Level.commune.value, parent_code=province_code(w.province_code), source=source)
        for w in sorted(Ward.iter_all(), key=lambda w: w.code)
    ]
    return rows


async def load_admin_units(today: dt.date | None = None) -> LoadReport:
    """Bring the unit tree in line with the installed release of vietnam-provinces.

    Units no longer in the release are retired (valid_to set), never deleted:
    old questions and conferences still point at them.
    """
    today = today or dt.date.today()
    report = LoadReport()
    official = _official_units()
    async with write_transaction():
        existing = {
            row["code"]: row
            for row in await AdminUnit.select(
                AdminUnit.id, AdminUnit.code, AdminUnit.name, AdminUnit.kind, AdminUnit.level,
                AdminUnit.parent.code.as_alias("parent_code"), AdminUnit.valid_to,
            )
        }
        ids = {code: row["id"] for code, row in existing.items()}
        for level in (AdminUnit.Level.province.value, AdminUnit.Level.commune.value):
            new_rows = []
            for unit in (u for u in official if u["level"] == level):
                parent_id = ids.get(unit["parent_code"]) if unit["parent_code"] else None
                current = existing.get(unit["code"])
                if current is None:
                    new_rows.append(AdminUnit(
                        code=unit["code"], name=unit["name"], name_folded=fold(unit["name"]),
                        kind=unit["kind"], level=level, parent=parent_id,
                        valid_from=TWO_LEVEL_SINCE, valid_to=None, source=unit["source"],
                    ))
                elif (current["name"], current["kind"], current["parent_code"], current["valid_to"]) != (
                    unit["name"], unit["kind"], unit["parent_code"], None
                ):
                    await AdminUnit.update({
                        AdminUnit.name: unit["name"], AdminUnit.name_folded: fold(unit["name"]),
                        AdminUnit.kind: unit["kind"], AdminUnit.parent: parent_id,
                        AdminUnit.valid_to: None, AdminUnit.source: unit["source"],
                    }).where(AdminUnit.code == unit["code"])
                    report.updated += 1
                else:
                    report.unchanged += 1
            for start in range(0, len(new_rows), BATCH):
                await AdminUnit.insert(*new_rows[start:start + BATCH])
            report.added += len(new_rows)
            if new_rows:
                for row in await AdminUnit.select(AdminUnit.id, AdminUnit.code).where(AdminUnit.level == level):
                    ids[row["code"]] = row["id"]
        official_codes = {u["code"] for u in official}
        gone = [
            code for code, row in existing.items()
            if code not in official_codes and row["valid_to"] is None and row["level"] != AdminUnit.Level.district.value
        ]
        for start in range(0, len(gone), BATCH):
            await AdminUnit.update({AdminUnit.valid_to: today}).where(AdminUnit.code.is_in(gone[start:start + BATCH]))
        report.retired = len(gone)
        report.legacy_added = await _load_legacy_units()
    return report


async def _load_legacy_units() -> int:
    """The provinces merged away and the districts abolished on 1 July 2025, each ended on 30 June
    2025. Only missing codes are added; a province code still in force keeps its current row."""
    legacy = json.loads(LEGACY_FILE.read_text(encoding="utf-8"))
    source = legacy["source"].split(" (")[0]
    known = {row["code"]: row["id"] for row in await AdminUnit.select(AdminUnit.id, AdminUnit.code)}
    provinces = [
        AdminUnit(code=p["code"], name=p["name"], name_folded=fold(p["name"]), kind=p["kind"],
                  level=AdminUnit.Level.province.value, parent=None, valid_from=None,
                  valid_to=LAST_DAY_OF_THREE_LEVELS, source=source)
        for p in legacy["provinces"] if p["code"] not in known
    ]
    if provinces:
        await AdminUnit.insert(*provinces)
        known.update({row["code"]: row["id"] for row in await AdminUnit.select(AdminUnit.id, AdminUnit.code)
                      .where(AdminUnit.code.is_in([p.code for p in provinces]))})
    districts = [
        AdminUnit(code=d["code"], name=d["name"], name_folded=fold(d["name"]), kind=d["kind"],
                  level=AdminUnit.Level.district.value, parent=known[d["province"]], valid_from=None,
                  valid_to=LAST_DAY_OF_THREE_LEVELS, source=source)
        for d in legacy["districts"] if d["code"] not in known
    ]
    for start in range(0, len(districts), BATCH):
        await AdminUnit.insert(*districts[start:start + BATCH])
    return len(provinces) + len(districts)


async def list_units(
    province: str | None = None, search: str | None = None, include_retired: bool = False,
) -> list[dict]:
    """Provinces (no argument), or the communes of one province; optionally filtered by a folded search."""
    query = AdminUnit.select(
        AdminUnit.code, AdminUnit.name, AdminUnit.kind, AdminUnit.level,
        AdminUnit.parent.code.as_alias("parent_code"), AdminUnit.valid_from, AdminUnit.valid_to,
    ).order_by(AdminUnit.code)
    words = fold(search).split()[:10]
    if province:
        if not province.isascii() or not province.isdigit():
            return []
        query = query.where(AdminUnit.parent.code == province)
    elif not words:
        query = query.where(AdminUnit.level == AdminUnit.Level.province.value)
    for word in words:
        query = query.where(AdminUnit.name_folded.like(f"%{word[:50]}%"))
    if not include_retired:
        query = query.where(AdminUnit.valid_to.is_null())
    rows = await query
    if words:  # the whole phrase first ("dong da": Đống Đa before Đại Đồng)
        phrase = " ".join(words)
        rows.sort(key=lambda row: (phrase not in fold(row["name"]), row["code"]))
    return rows


def _library_calendar(years: range) -> dict[dt.date, tuple[str, str]]:
    """{day: (kind, Vietnamese name)} from the holidays library, swaps included."""
    calendar = holidays.Vietnam(years=years, language="vi")
    days = {day: (Holiday.Kind.holiday.value, name) for day, name in calendar.items()}
    for day in calendar.weekend_workdays:
        if day.year in years:
            days[day] = (Holiday.Kind.workday.value, "Ngày làm việc bù")
    return days


async def seed_holidays(first_year: int, last_year: int) -> LoadReport:
    """Seed the holiday table for these years. Rows the admin edited are left alone."""
    report = LoadReport()
    wanted = _library_calendar(range(first_year, last_year + 1))
    async with write_transaction():
        existing = {
            row["day"]: row
            for row in await Holiday.select().where(
                (Holiday.day >= dt.date(first_year, 1, 1)) & (Holiday.day <= dt.date(last_year, 12, 31))
            )
        }
        new_rows = []
        for day, (kind, name) in sorted(wanted.items()):
            current = existing.get(day)
            if current is None:
                new_rows.append(Holiday(day=day, kind=kind, name=name, source="library"))
            elif current["source"] == "library" and (current["kind"], current["name"]) != (kind, name):
                await Holiday.update({Holiday.kind: kind, Holiday.name: name}).where(Holiday.day == day)
                report.updated += 1
            else:
                report.unchanged += 1
        if new_rows:
            await Holiday.insert(*new_rows)
        report.added = len(new_rows)
    return report


async def list_holidays(year: int) -> list[dict]:
    return await Holiday.select().where(
        (Holiday.day >= dt.date(year, 1, 1)) & (Holiday.day <= dt.date(year, 12, 31))
    ).order_by(Holiday.day)
