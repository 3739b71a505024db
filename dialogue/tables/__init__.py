"""Piccolo tables, one module per area. ALL_TABLES is what the app and migrations know."""

from dialogue.tables.conference import Conference
from dialogue.tables.reference import AdminUnit, Agency, Holiday, Topic

ALL_TABLES = [AdminUnit, Agency, Topic, Holiday, Conference]

__all__ = ["ALL_TABLES", "AdminUnit", "Agency", "Topic", "Holiday", "Conference"]
