"""Phone channels and personal-data requests, the data and indexes the previous migration's columns need:
- askers who gave no e-mail address hear nothing until they choose a channel (their questions were sent
  before SMS and Zalo existed), so their `notify_by` is "none", not the column's default "email";
- the daily caps on phone messages count a recipient's (and a unit's) messages of the last day: two
  indexes answer those counts without reading the outbox.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T11:48:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "phone_channels_data"

STATEMENTS = (
    "UPDATE question SET notify_by = 'none' WHERE asker_email = ''",
    "CREATE INDEX IF NOT EXISTS outbox_message_recipient ON outbox_message (to_address, created_at)",
    "CREATE INDEX IF NOT EXISTS outbox_message_unit_channel ON outbox_message (unit, channel, created_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dialogue", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
