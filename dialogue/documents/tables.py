"""The official documents of a conference, one row per version."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Bytea, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from dialogue.accounts.tables import StaffUser
from dialogue.conferences.tables import Conference
from dialogue.reference.tables import AdminUnit


class ConferenceDocument(Table, tablename="conference_document"):
    """One version of the minutes or of the conclusions notice. A draft's `content` (JSON) is
    what the organisers edit; publication gives it its number and freezes its three renderings,
    which never change afterwards (a correction is a new version that says what it replaces)."""

    class Kind(str, Enum):
        minutes = "minutes"  # biên bản hội nghị
        notice = "notice"  # thông báo kết luận

    class State(str, Enum):
        draft = "draft"
        published = "published"

    conference = ForeignKey(Conference, null=False, index=True)
    unit = ForeignKey(AdminUnit, null=False, help_text="The issuing unit: its People's Committee issues it.")
    kind = Varchar(length=8, choices=Kind)
    edition = Integer(default=1, help_text="1 for the first version, 2 for its first correction…")
    state = Varchar(length=10, choices=State, default=State.draft, index=True)
    number = Integer(null=True, default=None, help_text="Its number in the unit's register, given at publication.")
    year = Integer(help_text="The year of the register the number belongs to.")
    symbol = Varchar(length=20, help_text="The symbol after the number, e.g. TB-UBND.")
    number_key = Varchar(length=60, null=True, default=None, unique=True,
                         help_text="unit:year:kind:number, unique: two publishers never take the same number.")
    issued_on = Date(null=True, default=None)
    content = Text(default="{}", help_text="The editable structured content, as JSON.")
    correction_note = Text(default="", help_text="Why this version replaces the one before.")
    supersedes = ForeignKey("self", null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    published_by = ForeignKey(StaffUser, null=True, default=None)
    html = Text(default="", help_text="The printable page as published.")
    docx = Bytea(null=True, default=None)
    pdf = Bytea(null=True, default=None)
    version = Integer(default=1, help_text="Raised by every save of the draft: an older version's save is a conflict.")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
