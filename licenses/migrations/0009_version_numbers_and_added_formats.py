"""Version numbers as two integer columns (so that the database orders versions: 1.9 before 1.10),
filled from the numbers; and the audit action for a format rendered after publication.

Published versions are frozen by a trigger (0002) that refuses any UPDATE of them: filling the new
columns is the one change their rows ever get, so the trigger is set aside for it and put back as it
was. No column that a published version had changes.
"""

import importlib
import re

from django.db import migrations, models

# The trigger as 0002 made it (SQLite cannot disable a trigger, only drop and create it again).
VERSION_TRIGGER_SQLITE = importlib.import_module("licenses.migrations.0002_freeze_triggers").SQLITE[0]


def _parts(number: str):
    match = re.fullmatch(r"([0-9]{1,4})\.([0-9]{1,4})", number or "")
    return (int(match[1]), int(match[2])) if match else (None, None)


def fill_numbers(apps, schema_editor):
    Version = apps.get_model("licenses", "Version")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("ALTER TABLE licenses_version DISABLE TRIGGER licenses_version_frozen")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS licenses_version_frozen")
    for pk, number in Version.objects.values_list("pk", "number"):
        major, minor = _parts(number)
        Version.objects.filter(pk=pk).update(major=major, minor=minor)
    if postgres:
        schema_editor.execute("ALTER TABLE licenses_version ENABLE TRIGGER licenses_version_frozen")
    else:
        schema_editor.execute(VERSION_TRIGGER_SQLITE)


class Migration(migrations.Migration):
    dependencies = [("licenses", "0008_rate_counts")]

    operations = [
        migrations.AddField(
            model_name="version",
            name="major",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="version",
            name="minor",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(fill_numbers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "created a draft"),
                    ("edit", "edited a draft"),
                    ("open_review", "opened a draft for comment"),
                    ("close_review", "closed comments on a draft"),
                    ("comment", "commented"),
                    ("resolve_comment", "resolved a comment"),
                    ("publish", "published"),
                    ("add_format", "rendered a format added since publication"),
                ],
                max_length=20,
            ),
        ),
    ]
