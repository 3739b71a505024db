"""Personal-data requests: what an asker asked of the controller about their data, and by when it is due."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Boolean, Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from dialogue.accounts.tables import StaffUser
from dialogue.questions.tables import Question
from dialogue.reference.tables import AdminUnit


class DataRequest(Table, tablename="data_request"):
    """One request from the asker of a question, made through its manage link. Acknowledged at once;
    carried out at once where the system can (privacy/requests.py), otherwise left to the unit's
    data-protection officer, due by `due_on` (or `extended_due_on`)."""

    class Kind(str, Enum):
        access = "access"  # see and download the data held
        correction = "correction"  # correct the contact details
        withdraw_public = "withdraw_public"  # withdraw consent to public display
        withdraw_processing = "withdraw_processing"  # withdraw consent to processing: contacts erased
        erasure = "erasure"  # erase the personal data
        objection = "objection"  # restrict or object to a processing (free text)

    class State(str, Enum):
        received = "received"
        extended = "extended"  # the deadline was extended once
        done = "done"
        refused = "refused"

    question = ForeignKey(Question, null=False, index=True)
    unit = ForeignKey(AdminUnit, null=False, index=True, help_text="The conference's unit: whose officer handles it.")
    kind = Varchar(length=20, choices=Kind)
    state = Varchar(length=10, choices=State, default=State.received, index=True)
    details = Text(default="", help_text="What the asker wrote, or what they chose.")
    language = Varchar(length=2, default="vi")
    processor_involved = Boolean(default=False, help_text="A processor (the SMS or Zalo provider) holds the data too.")
    received_at = Timestamptz(default=TimestamptzNow())
    acknowledged_at = Timestamptz(null=True, default=None)
    acknowledge_due_on = Date(help_text="2 working days after receipt.")
    due_on = Date(help_text="15 working days after receipt, 20 with a processor.")
    extended_due_on = Date(null=True, default=None, help_text="Once, 15 working days more.")
    completed_at = Timestamptz(null=True, default=None)
    outcome = Text(default="", help_text="What was done, or why it was refused (told to the asker).")
    handled_by = ForeignKey(StaffUser, null=True, default=None)
