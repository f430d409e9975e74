"""Self-assessments of releases against a Definition version: permanent statements, refused any
UPDATE and any DELETE in the database (as releases are, 0004 and 0010), on SQLite and PostgreSQL alike."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

refuse_deletes = importlib.import_module("licenses.migrations.0010_refuse_deletes")
UNDELETABLE = ("licenses_assessment", None, "assessments are permanent")

TRIGGER = {
    "sqlite": (
        """CREATE TRIGGER licenses_assessment_frozen BEFORE UPDATE ON licenses_assessment
           BEGIN SELECT RAISE(ABORT, 'assessments are permanent'); END""",
        "DROP TRIGGER IF EXISTS licenses_assessment_frozen",
    ),
    "postgresql": (
        """CREATE TRIGGER licenses_assessment_frozen BEFORE UPDATE ON licenses_assessment
           FOR EACH ROW EXECUTE FUNCTION licenses_refuse_update('assessments are permanent')""",
        "DROP TRIGGER IF EXISTS licenses_assessment_frozen ON licenses_assessment",
    ),
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(TRIGGER[vendor][0], params=None)
    make = refuse_deletes.sqlite_create if vendor == "sqlite" else refuse_deletes.postgres_create
    schema_editor.execute(make(*UNDELETABLE), params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(TRIGGER[vendor][1], params=None)
    name = refuse_deletes.trigger_name(UNDELETABLE[0])
    on = f" ON {UNDELETABLE[0]}" if vendor == "postgresql" else ""
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{on}", params=None)


class Migration(migrations.Migration):
    dependencies = [("licenses", "0010_refuse_deletes")]

    operations = [
        migrations.CreateModel(
            name="Assessment",
            fields=[
                ("id", models.CharField(max_length=16, primary_key=True, serialize=False)),
                ("answers", models.JSONField()),
                ("conforms", models.BooleanField()),
                ("body", models.BinaryField()),
                ("sha256", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField()),
                (
                    "definition",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="assessments", to="licenses.version"
                    ),
                ),
                (
                    "release",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assessments",
                        to="licenses.release",
                    ),
                ),
            ],
            options={"ordering": ["-created_at", "id"]},
        ),
        migrations.RunPython(create, drop),
    ]
