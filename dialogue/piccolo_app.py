"""Piccolo app configuration: the tables and where their migrations live."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from dialogue.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="dialogue",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations" / "dialogue"),
    table_classes=ALL_TABLES,
    migration_dependencies=[],
    commands=[],
)
