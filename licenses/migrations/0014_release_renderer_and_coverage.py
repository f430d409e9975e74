"""Record with each release the renderer its files are made with and what its license covers besides the
weights.

Releases are frozen by triggers (0004's refusal of UPDATE, 0010's of DELETE). Django adds a column on
SQLite by copying the table, which would drop both (as 0005 once did): the columns are added in place
with ALTER TABLE … ADD COLUMN on both databases, with defaults that give every existing release what it
was made with: renderer "1", and no coverage asked. Adding a column rewrites no row that a trigger sees.
"""

from django.db import migrations, models

FORWARD = {
    "sqlite": [
        "ALTER TABLE licenses_release ADD COLUMN renderer varchar(8) NOT NULL DEFAULT '1'",
        "ALTER TABLE licenses_release ADD COLUMN coverage text NOT NULL DEFAULT '{}' CHECK (JSON_VALID(coverage))",
    ],
    "postgresql": [
        "ALTER TABLE licenses_release ADD COLUMN renderer varchar(8) NOT NULL DEFAULT '1'",
        "ALTER TABLE licenses_release ADD COLUMN coverage jsonb NOT NULL DEFAULT '{}'::jsonb",
    ],
}


def add_columns(apps, schema_editor):
    for sql in FORWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def drop_columns(apps, schema_editor):
    # Without the column every release would read as renderer 1, and a later one's bytes would change.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM licenses_release WHERE renderer <> '1'")
        if cursor.fetchone()[0]:
            raise RuntimeError("Releases made with a later renderer exist: unapplying 0014 would change their bytes.")
    # Both databases drop a column in place (SQLite since 3.35) and keep the table's triggers.
    for column in ("coverage", "renderer"):
        schema_editor.execute(f"ALTER TABLE licenses_release DROP COLUMN {column}", params=None)


class Migration(migrations.Migration):
    dependencies = [("licenses", "0013_restore_release_freeze")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="release", name="renderer", field=models.CharField(db_default="1", max_length=8)
                ),
                migrations.AddField(
                    model_name="release", name="coverage", field=models.JSONField(blank=True, default=dict)
                ),
            ],
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
        ),
    ]
