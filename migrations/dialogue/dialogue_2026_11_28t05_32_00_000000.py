"""The similar-question index: a trigram index on each question's normalised public text, which the
lookup narrows its candidates with (dialogue/questions/similarity.py), and every question's entry
computed once from what is there. On SQLite an FTS5 table of its words, kept in step
with question_match by triggers (so in the same transaction as every write of it); on PostgreSQL
pg_trgm's GIN index (the extension is trusted: the database's owner may create it). Both were
replaced by question_phrase (dialogue_2026_11_28t08_51_00_000000), which drops them. A separate
migration: a migration's raw steps run before its new tables exist. Not wrapped in a transaction:
the statements are idempotent.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-28T05:32:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "similarity_index"

SCOPE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS question_match_conference ON question_match (conference)",
    "CREATE INDEX IF NOT EXISTS question_match_unit ON question_match (conference_unit, created_at)",
)
SQLITE = (
    # Words (a "/" inside one: "12/5"), not trigrams: a phrase of words is read from one doclist per
    # word, ten to thirty times faster than from the trigrams' at 100,000 questions (docs/similar-questions.md).
    "CREATE VIRTUAL TABLE IF NOT EXISTS question_match_fts USING fts5(text, content='question_match',"
    " content_rowid='id', tokenize=\"unicode61 remove_diacritics 0 tokenchars '/'\")",
    "CREATE TRIGGER IF NOT EXISTS question_match_added AFTER INSERT ON question_match BEGIN"
    " INSERT INTO question_match_fts (rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS question_match_removed AFTER DELETE ON question_match BEGIN"
    " INSERT INTO question_match_fts (question_match_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS question_match_changed AFTER UPDATE OF text ON question_match BEGIN"
    " INSERT INTO question_match_fts (question_match_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    " INSERT INTO question_match_fts (rowid, text) VALUES (new.id, new.text); END",
)
POSTGRES = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS question_match_text ON question_match USING gin (text gin_trgm_ops)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dialogue", description=DESCRIPTION,
                               wrap_in_transaction=False)

    async def run():
        engine = engine_finder()
        sqlite = isinstance(engine, SQLiteEngine)
        for statement in (*SCOPE_INDEXES, *(SQLITE if sqlite else POSTGRES)):
            await engine.run_ddl(statement, in_pool=False)
        # The entries were computed here until the index became question_phrase; they now are by
        # dialogue_2026_11_28t08_51_00_000000, since similarity.rebuild() writes that table too.

    manager.add_raw(run)
    return manager
