"""Refuse, in the database itself, any UPDATE of a published version or of a stored rendition.

The model layer refuses these too; the triggers close the paths that bypass it (raw SQL, bulk
updates from another program, a future bug).
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER licenses_version_frozen BEFORE UPDATE ON licenses_version
       WHEN OLD.status = 'published'
       BEGIN SELECT RAISE(ABORT, 'published versions are frozen'); END""",
    """CREATE TRIGGER licenses_rendition_frozen BEFORE UPDATE ON licenses_rendition
       BEGIN SELECT RAISE(ABORT, 'renditions are written once'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS licenses_version_frozen",
    "DROP TRIGGER IF EXISTS licenses_rendition_frozen",
]
POSTGRES = [
    """CREATE FUNCTION licenses_refuse_update() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation'; END;
       $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER licenses_version_frozen BEFORE UPDATE ON licenses_version
       FOR EACH ROW WHEN (OLD.status = 'published')
       EXECUTE FUNCTION licenses_refuse_update('published versions are frozen')""",
    """CREATE TRIGGER licenses_rendition_frozen BEFORE UPDATE ON licenses_rendition
       FOR EACH ROW EXECUTE FUNCTION licenses_refuse_update('renditions are written once')""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS licenses_version_frozen ON licenses_version",
    "DROP TRIGGER IF EXISTS licenses_rendition_frozen ON licenses_rendition",
    "DROP FUNCTION IF EXISTS licenses_refuse_update()",
]


def statements_for(vendor: str, forward: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES if forward else POSTGRES_REVERSE
    if vendor == "sqlite":
        return SQLITE if forward else SQLITE_REVERSE
    raise NotImplementedError(f"No freeze triggers written for {vendor}.")


def create(apps, schema_editor):
    for statement in statements_for(schema_editor.connection.vendor, True):
        schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    for statement in statements_for(schema_editor.connection.vendor, False):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("licenses", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
