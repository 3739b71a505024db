"""Topics made before topics had units belong to the unit of their default agency: that agency
could only ever serve that unit. Topics without a default agency stay open to every unit."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-27T14:49:08:000000"
VERSION = "1.38.0"
DESCRIPTION = "topic_unit_from_agency"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dialogue", description=DESCRIPTION)

    async def run():
        # The same statement on SQLite and PostgreSQL; a separate migration because the raw steps
        # of a migration run before its new columns are added.
        await engine_finder().run_ddl(
            "UPDATE topic SET unit = (SELECT agency.unit FROM agency WHERE agency.id = topic.default_agency)"
            " WHERE unit IS NULL AND default_agency IS NOT NULL", in_pool=False)

    manager.add_raw(run)
    return manager
