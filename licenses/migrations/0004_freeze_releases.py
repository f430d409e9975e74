"""Refuse, in the database, any UPDATE of a release: a permalink must keep its content."""

from django.db import migrations

SQL = {
    "sqlite": (
        """CREATE TRIGGER licenses_release_frozen BEFORE UPDATE ON licenses_release
           BEGIN SELECT RAISE(ABORT, 'releases are permanent'); END""",
        "DROP TRIGGER IF EXISTS licenses_release_frozen",
    ),
    "postgresql": (
        """CREATE TRIGGER licenses_release_frozen BEFORE UPDATE ON licenses_release
           FOR EACH ROW EXECUTE FUNCTION licenses_refuse_update('releases are permanent')""",
        "DROP TRIGGER IF EXISTS licenses_release_frozen ON licenses_release",
    ),
}


def create(apps, schema_editor):
    schema_editor.execute(SQL[schema_editor.connection.vendor][0], params=None)


def drop(apps, schema_editor):
    schema_editor.execute(SQL[schema_editor.connection.vendor][1], params=None)


class Migration(migrations.Migration):
    dependencies = [("licenses", "0003_releases")]
    operations = [migrations.RunPython(create, drop)]
