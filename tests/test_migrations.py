"""Every model change has its migration, and the migrations build the schema on this engine."""

from piccolo.apps.migrations.commands.new import AutoMigrationManager

from dialogue.piccolo_app import ALL_TABLES, APP_CONFIG


async def test_no_model_change_is_missing_its_migration():
    statements = await AutoMigrationManager(auto_input="y").get_alter_statements(app_config=APP_CONFIG)
    pending = [line for group in statements for line in group.statements]
    assert pending == [], "A table changed without a migration; run: make migration NAME=what_changed"


async def test_the_migrations_create_every_table(db):
    for table in ALL_TABLES:
        assert await table.table_exists(), table._meta.tablename
        await table.select().limit(1)  # every column the model knows exists in the database
