"""`manage.py flush`, which also empties the frozen tables on SQLite.

Triggers refuse to DELETE published versions, renditions, releases and audit entries (migration
0010). PostgreSQL's flush empties tables with TRUNCATE, which those row triggers do not see; SQLite's
deletes row by row, so there the triggers are set aside for the flush and restored with it, in one
transaction. Wiping the database is a deliberate act (it asks for confirmation); the triggers are
against everything else.
"""

import importlib
from contextlib import contextmanager

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

refuse_deletes = importlib.import_module("licenses.migrations.0010_refuse_deletes")


@contextmanager
def delete_triggers_set_aside(connection):
    """Drop the DELETE triggers for a block and put back those that were there, in one transaction
    (a flush; and tests that play someone with write access to the database)."""
    vendor = connection.vendor
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        existing = {row[0] for row in cursor.fetchall()}
        for sql in refuse_deletes.statements(vendor, False):
            cursor.execute(sql)
        yield
        for table, condition, message in refuse_deletes.FROZEN:
            if refuse_deletes.trigger_name(table) in existing:
                create = refuse_deletes.sqlite_create if vendor == "sqlite" else refuse_deletes.postgres_create
                cursor.execute(create(table, condition, message))


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with delete_triggers_set_aside(connection):
            super().handle(**options)
