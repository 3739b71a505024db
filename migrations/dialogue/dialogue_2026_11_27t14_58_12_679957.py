from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-11-27T14:58:12:679957"
VERSION = "1.38.0"
DESCRIPTION = "sign_in_failure_scopes"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="dialogue", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="SignInFailure",
        tablename="sign_in_failure",
        column_name="scope",
        db_column_name="scope",
        params={
            "choices": Enum(
                "Scope",
                {
                    "pair": "pair",
                    "device": "device",
                    "account": "account",
                    "address": "address",
                },
            )
        },
        old_params={
            "choices": Enum("Scope", {"account": "account", "address": "address"})
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
