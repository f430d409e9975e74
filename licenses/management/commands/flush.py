"""`manage.py flush`, which also empties the frozen tables on SQLite.

Triggers refuse to DELETE published versions, renditions, releases, audit entries and
self-assessments (migrations 0010, 0011). PostgreSQL's flush empties tables with TRUNCATE, which
those row triggers do not see; SQLite's deletes row by row, so there the triggers are set aside for
the flush and restored with it, in one transaction. Wiping the database is a deliberate act (it asks
for confirmation); the triggers are against everything else.
"""

from contextlib import contextmanager

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

# The triggers that refuse DELETE (migrations 0010, 0011) are all named <table>_undeletable.
LIKE = "%undeletable"


@contextmanager
def delete_triggers_set_aside(connection):
    """Drop every trigger that refuses DELETE (named *_undeletable) for a block, and create them again
    as they were, in one transaction (a flush; and tests that play someone with write access to the
    database)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?", [LIKE]
            )
        else:
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgname LIKE %s",
                [LIKE],
            )
        triggers = cursor.fetchall()
        for name, table, _ in triggers:
            cursor.execute(f"DROP TRIGGER {name}" + (f" ON {table}" if connection.vendor == "postgresql" else ""))
        yield
        for _, _, definition in triggers:
            cursor.execute(definition)


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with delete_triggers_set_aside(connection):
            super().handle(**options)
