"""The similar-question index becomes a table of phrases (question_phrase), the same on both engines;
FTS5 and pg_trgm made way for it. Each lookup asks, for each of its search terms, for the newest
hundred questions of its unit that hold it: an ordinary B-tree on (phrase, conference_unit,
question) answers that by reading a hundred rows backwards, whatever the size of the province.
pg_trgm's GIN index could not stop early (it ranked every entry holding any term: 2.1 s at 100,000
questions); FTS5 could, but read whole doclists of common words (docs/similar-questions.md).

A separate migration: a migration's raw steps run before its new tables exist. Not wrapped in a
transaction, as the one before it: the rebuild writes through the app's own engine. The pg_trgm
extension is left installed (dropping it needs its owner, and it costs nothing).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-28T08:51:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "similarity_phrase_index"

INDEXES = (
    # The lookup reaches question_match by question now: its scope indexes serve nothing.
    "DROP INDEX IF EXISTS question_match_conference",
    "DROP INDEX IF EXISTS question_match_unit",
    "CREATE INDEX IF NOT EXISTS question_phrase_lookup ON question_phrase (phrase, conference_unit, question)",
    "CREATE INDEX IF NOT EXISTS question_phrase_question ON question_phrase (question)",
)
SQLITE = (
    "DROP TRIGGER IF EXISTS question_match_added",
    "DROP TRIGGER IF EXISTS question_match_removed",
    "DROP TRIGGER IF EXISTS question_match_changed",
    "DROP TABLE IF EXISTS question_match_fts",
)
POSTGRES = ("DROP INDEX IF EXISTS question_match_text",)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dialogue", description=DESCRIPTION,
                               wrap_in_transaction=False)

    async def run():
        from dialogue.questions.similarity import rebuild

        engine = engine_finder()
        sqlite = isinstance(engine, SQLiteEngine)
        for statement in (*(SQLITE if sqlite else POSTGRES), *INDEXES):
            await engine.run_ddl(statement, in_pool=False)
        await rebuild()
        for table in ("question_match", "question_phrase"):
            await engine.run_ddl(f"ANALYZE {table}", in_pool=False)

    manager.add_raw(run)
    return manager
