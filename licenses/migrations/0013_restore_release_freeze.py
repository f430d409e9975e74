"""Put back, on SQLite, the trigger that refuses any UPDATE of a release (0004).

Migration 0005 added a column to releases, which Django does on SQLite by copying the table, and the
copy lost the trigger: SQLite databases made since had no database-level freeze of releases (the
model still refused changes). PostgreSQL alters the table in place and kept it.
"""

from django.db import migrations

CREATE = """CREATE TRIGGER IF NOT EXISTS licenses_release_frozen BEFORE UPDATE ON licenses_release
            BEGIN SELECT RAISE(ABORT, 'releases are permanent'); END"""


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [("licenses", "0012_longer_rendition_formats")]
    operations = [migrations.RunPython(restore, migrations.RunPython.noop)]
