from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-11-26T02:14:04:532294"
VERSION = "1.38.0"
DESCRIPTION = "index_submitted_from"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="dialogue", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Question",
        tablename="question",
        column_name="submitted_from",
        db_column_name="submitted_from",
        params={"index": True},
        old_params={"index": False},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
