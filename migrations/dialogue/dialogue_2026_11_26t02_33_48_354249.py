"""The screening queue lists a conference's questions oldest first: an index in that order."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T02:33:48:354249"
VERSION = "1.38.0"
DESCRIPTION = "queue_index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dialogue", description=DESCRIPTION)

    async def run():
        # The same statement on SQLite and PostgreSQL.
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS question_conference_created ON question (conference, created_at, id)",
            in_pool=False)

    manager.add_raw(run)
    return manager
