"""Rendition formats up to 20 characters: the suffixes of the templates for tools (`spdx.xml`,
`scancode.zip`) are longer than the 10 that 0001 allowed.

On PostgreSQL the column is widened in place (`ALTER COLUMN … TYPE`): no row is rewritten, so the
freeze trigger of 0002, which refuses every UPDATE of a rendition, stays as it is and sees nothing.
SQLite does not enforce the length of a varchar, and Django would widen it there by copying the table,
which drops its triggers: the model's state changes, the SQLite table is left alone. Unapplying keeps
the wider column (renditions that need it may exist by then).
"""

from django.db import migrations, models


def widen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE licenses_rendition ALTER COLUMN format TYPE varchar(20)")


class Migration(migrations.Migration):
    dependencies = [("licenses", "0011_assessments")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="rendition", name="format", field=models.CharField(max_length=20)),
            ],
            database_operations=[migrations.RunPython(widen, migrations.RunPython.noop)],
        ),
    ]
