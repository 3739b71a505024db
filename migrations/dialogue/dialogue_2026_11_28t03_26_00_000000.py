"""The indexes the leaders' figures read through, and the answer facts and monthly sums computed once
from what is already there (from then on kept by dialogue/answers/facts.py). A separate migration:
a migration's raw steps run before its new tables exist."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-28T03:26:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "answer_facts_indexes_and_rebuild"

INDEXES = (
    # A unit's answers due in a period, read from the index alone.
    "CREATE INDEX IF NOT EXISTS answer_fact_scope ON answer_fact (unit, due_on, agency, answered_on, working_days)",
    # What is overdue now: only the answers not given yet.
    "CREATE INDEX IF NOT EXISTS answer_fact_waiting ON answer_fact (unit, due_on, agency) WHERE answered_on IS NULL",
    "CREATE INDEX IF NOT EXISTS answer_month_scope ON answer_month (unit, month, agency, due, on_time, late)",
    # Commitments still to do, by due date (the overdue ones), and by due date in a period.
    "CREATE INDEX IF NOT EXISTS commitment_state_due ON commitment (state, due_on, conference, lead_agency)",
    "CREATE INDEX IF NOT EXISTS commitment_due_scope ON commitment (due_on, conference, lead_agency, state, outcome)",
    # Questions received in a period.
    "CREATE INDEX IF NOT EXISTS question_received ON question (created_at, conference, topic, asker_kind, unit)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dialogue", description=DESCRIPTION)

    async def run():
        from dialogue.answers.facts import rebuild_statements

        engine = engine_finder()
        for statement in (*INDEXES, *rebuild_statements(isinstance(engine, SQLiteEngine))):
            await engine.run_ddl(statement, in_pool=False)
        # The planners' statistics for the new tables and indexes: without them SQLite reads the
        # overdue answers through the wide index, a hundred times slower than through the narrow one.
        for table in ("answer_fact", "answer_month", "commitment", "question"):
            await engine.run_ddl(f"ANALYZE {table}", in_pool=False)

    manager.add_raw(run)
    return manager
