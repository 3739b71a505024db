"""The deadlines of personal-data requests (Decree 356/2025/NĐ-CP), in working days counted on the
holiday table as answer deadlines are: the one place they are stated."""

from __future__ import annotations

ACKNOWLEDGE_DAYS = 2  # the request is acknowledged within 2 working days (here: at once, automatically)
DUE_DAYS = 15  # withdrawal of consent, restriction, objection, erasure: carried out within 15 working days
DUE_DAYS_WITH_PROCESSOR = 20  # … 20 when a processor holds the data too (the SMS or Zalo provider)
EXTENSION_DAYS = 15  # the controller may extend once, by 15 working days, saying why
