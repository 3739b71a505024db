"""Reference data: administrative units, agencies, topics and the holiday table."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Varchar
from piccolo.table import Table


class AdminUnit(Table, tablename="admin_unit"):
    """A province, commune/ward/special zone, or (for old records) a district.

    Keyed by the official code, never by name: names were reused with new
    boundaries in July 2025. A unit that no longer exists keeps its row with
    valid_to set.
    """

    class Level(str, Enum):
        province = "province"
        district = "district"  # abolished 1 July 2025; kept for old records
        commune = "commune"  # commune, ward or special zone

    code = Varchar(length=10, unique=True, index=True, help_text="Official code: province 2 digits, commune 5.")
    name = Varchar(length=150)
    name_folded = Varchar(length=150, index=True, help_text="Name without diacritics, for search.")
    kind = Varchar(length=40, help_text="Official division type, e.g. 'phường', 'xã', 'đặc khu'.")
    level = Varchar(length=10, choices=Level, index=True)
    parent = ForeignKey("self", null=True, default=None)
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)
    source = Varchar(length=60, default="", help_text="Where the row came from, e.g. vietnam-provinces 2025.10.1.")


class Agency(Table, tablename="agency"):
    """A body that answers questions: a People's Committee office, the ward police…"""

    name = Varchar(length=200)
    short_name = Varchar(length=60)
    name_folded = Varchar(length=200, index=True)
    unit = ForeignKey(AdminUnit, null=False)
    email = Varchar(length=254, default="")
    active = Boolean(default=True)


class Topic(Table, tablename="topic"):
    """A subject a question can be about, and the agency that usually answers it.

    A topic belongs to the unit whose conferences may take it (a province's topic serves its
    communes too), or to no unit: then every unit may use it, and it has no default agency, since
    agencies belong to one unit.
    """

    class Audience(str, Enum):
        everyone = "everyone"
        residents = "residents"
        businesses = "businesses"

    code = Varchar(length=40, unique=True)
    name_vi = Varchar(length=150)
    name_en = Varchar(length=150)
    audience = Varchar(length=12, choices=Audience, default=Audience.everyone)
    unit = ForeignKey(AdminUnit, null=True, default=None, help_text="Empty: every unit may use the topic.")
    default_agency = ForeignKey(Agency, null=True, default=None, help_text="Serves the topic's unit.")
    position = Integer(default=0)
    active = Boolean(default=True)


class Holiday(Table, tablename="holiday"):
    """A day off on a weekday, or a weekend day that is a working day (a swap).

    The only source of the working-day calendar at run time; seeded from the
    `holidays` library and edited by the admin.
    """

    class Kind(str, Enum):
        holiday = "holiday"
        workday = "workday"  # a Saturday or Sunday worked to make up for a bridge day

    day = Date(unique=True, index=True)
    kind = Varchar(length=10, choices=Kind, default=Kind.holiday)
    name = Varchar(length=150)
    source = Varchar(length=20, default="library", help_text="'library' when seeded, 'admin' when edited.")
