from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-28T08:50:37:697288"
VERSION = "1.38.0"
DESCRIPTION = "similarity_phrases"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="dialogue", description=DESCRIPTION
    )

    manager.add_table(
        class_name="SimilarityPhrase",
        tablename="question_phrase",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="SimilarityPhrase",
        tablename="question_phrase",
        column_name="phrase",
        db_column_name="phrase",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SimilarityPhrase",
        tablename="question_phrase",
        column_name="question",
        db_column_name="question",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SimilarityPhrase",
        tablename="question_phrase",
        column_name="conference_unit",
        db_column_name="conference_unit",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
