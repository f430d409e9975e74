"""Refuse, in the database itself, any DELETE of what is frozen: a published version, a stored
rendition, a release, an entry of the audit trail.

UPDATE was refused already (migrations 0002, 0004, 0006); without this, a rendition could be deleted
and inserted anew with other bytes, and audit entries removed. The models refuse deleting these too
(`delete()`, and the querysets of versions and of the audit trail); the triggers close every other
path (raw SQL, bulk deletes, another program). Wiping the whole database on purpose stays possible:
`manage.py flush` empties the tables with TRUNCATE on PostgreSQL (which row triggers do not see)
and with these triggers set aside on SQLite (licenses/management/commands/flush.py).
"""

from django.db import migrations

# (table, condition on OLD or None, message)
FROZEN = [
    ("licenses_version", "OLD.status = 'published'", "published versions are frozen"),
    ("licenses_rendition", None, "renditions are written once"),
    ("licenses_release", None, "releases are permanent"),
    ("licenses_auditentry", None, "the audit trail is append-only"),
]


def trigger_name(table: str) -> str:
    return f"{table}_undeletable"


def sqlite_create(table: str, condition: str | None, message: str) -> str:
    when = f"WHEN {condition} " if condition else ""
    return (
        f"CREATE TRIGGER {trigger_name(table)} BEFORE DELETE ON {table} {when}"
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


def postgres_create(table: str, condition: str | None, message: str) -> str:
    when = f"WHEN ({condition}) " if condition else ""
    return (
        f"CREATE TRIGGER {trigger_name(table)} BEFORE DELETE ON {table} FOR EACH ROW {when}"
        f"EXECUTE FUNCTION licenses_refuse_update('{message}')"
    )


def statements(vendor: str, forward: bool) -> list[str]:
    if vendor == "sqlite":
        if forward:
            return [sqlite_create(*row) for row in FROZEN]
        return [f"DROP TRIGGER IF EXISTS {trigger_name(table)}" for table, *_ in FROZEN]
    if vendor == "postgresql":
        if forward:
            return [postgres_create(*row) for row in FROZEN]
        return [f"DROP TRIGGER IF EXISTS {trigger_name(table)} ON {table}" for table, *_ in FROZEN]
    return []


def forward(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, True):
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, False):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("licenses", "0009_version_numbers_and_added_formats")]
    operations = [migrations.RunPython(forward, backward)]
