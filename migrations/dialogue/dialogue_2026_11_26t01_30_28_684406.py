"""The action log is append-only: the database itself refuses UPDATE and DELETE on it,
so no code path (nor a mistaken query) can rewrite the audit trail."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T01:30:28:684406"
VERSION = "1.38.0"
DESCRIPTION = "action_log_append_only"

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION action_log_is_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'action_log is append-only';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER action_log_no_update BEFORE UPDATE OR DELETE ON action_log
    FOR EACH ROW EXECUTE FUNCTION action_log_is_append_only()
    """,
    "CREATE TRIGGER action_log_no_truncate BEFORE TRUNCATE ON action_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION action_log_is_append_only()",
]

SQLITE = [
    """
    CREATE TRIGGER action_log_no_update BEFORE UPDATE ON action_log
    BEGIN SELECT RAISE(ABORT, 'action_log is append-only'); END
    """,
    """
    CREATE TRIGGER action_log_no_delete BEFORE DELETE ON action_log
    BEGIN SELECT RAISE(ABORT, 'action_log is append-only'); END
    """,
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dialogue", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in POSTGRES if engine.engine_type == "postgres" else SQLITE:
            await engine.run_ddl(statement, in_pool=False)

    manager.add_raw(run)
    return manager
