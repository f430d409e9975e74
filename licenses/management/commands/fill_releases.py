"""Fill a throwaway database with synthetic releases, for load tests (`make bench BENCH_ARGS=--production`).

The rows are releases of the latest OWPL with made-up values. Rendering a million licenses would take
days, so each row carries the checksums of one real release: `verify_checksums` reports every filled
row, and the command refuses to run without --throwaway. Never run it on a site people use.

`--owner NAME --owned N` gives one user N of the new releases (the reader a benchmark signs in as);
`--others K` gives the rest, in turn, to K synthetic users, so that the table of owners grows with
the releases, as on a site where most releases are made signed in.
"""

import hashlib
import json
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from licenses.models import Document, Release, ReleaseOwner
from licenses.publishing import create_release

BATCH = 20_000


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="how many releases the database should hold in all")
        parser.add_argument("--owner", default="", help="a user (made if missing) who owns some of the releases")
        parser.add_argument("--owned", type=int, default=0, help="how many of the new releases the owner owns")
        parser.add_argument("--others", type=int, default=0, help="how many synthetic users own the rest, in turn")
        parser.add_argument("--throwaway", action="store_true", help="confirm that this database is for load tests")

    def handle(self, *args, count, owner, owned, others, throwaway, **options):
        if not throwaway:
            raise CommandError(
                "fill_releases writes releases whose checksums are not their own: pass --throwaway, and only "
                "on a database made for load tests."
            )
        document = Document.objects.filter(slug="owpl").first()
        version = document.latest_version if document else None
        if version is None:
            raise CommandError("No published OWPL: run `manage.py load_documents` first.")
        template = create_release(
            version=version,
            values={name: spec.get("example") or name for name, spec in ((s["name"], s) for s in version.fields)},
        )
        have = Release.objects.count()
        missing = max(0, count - have)
        user = get_user_model().objects.get_or_create(username=owner)[0] if owner else None
        other_users = self._other_users(others)
        started = time.monotonic()
        made = 0
        while made < missing:
            size = min(BATCH, missing - made)
            with transaction.atomic():
                first = have + made
                ids = self._insert(version.pk, template.checksums, first, size)
                taken = 0
                if user is not None and owned > made:
                    taken = min(len(ids), owned - made)
                    ReleaseOwner.objects.bulk_create(
                        [ReleaseOwner(release_id=pk, user=user, created_at=timezone.now()) for pk in ids[:taken]]
                    )
                if other_users:
                    self._own(ids[taken:], other_users, first)
            made += size
        seconds = time.monotonic() - started
        self._settle()
        self.stdout.write(f"{Release.objects.count()} releases ({made} made in {seconds:.1f} s).")

    def _settle(self) -> None:
        """On PostgreSQL, vacuum and analyze the filled tables now, as autovacuum would in time: the
        planner then knows their sizes, and a benchmark right after does not measure autovacuum."""
        if connection.vendor != "postgresql":
            return
        tables = "licenses_release, licenses_releaseowner, auth_user"
        with connection.cursor() as cursor:  # VACUUM cannot run in a transaction (a test's): ANALYZE then
            cursor.execute(f"ANALYZE {tables}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {tables}")

    def _other_users(self, count: int) -> list[int]:
        """The ids of `count` synthetic users (fill-owner-1 ...), made when missing, without a usable password."""
        if count <= 0:
            return []
        names = [f"fill-owner-{n}" for n in range(1, count + 1)]
        User = get_user_model()
        User.objects.bulk_create(
            [User(username=name, password="!") for name in names], ignore_conflicts=True, batch_size=BATCH
        )
        return list(User.objects.filter(username__in=names).order_by("id").values_list("id", flat=True))

    def _own(self, ids: list[str], user_ids: list[int], first: int) -> None:
        """Give each release of `ids` to the next of `user_ids`, in turn (continuing from row `first`)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    """
                    INSERT INTO licenses_releaseowner (release_id, user_id, created_at)
                    SELECT made.id, (%s::integer[])[1 + (%s + made.n) %% %s],
                           now() - (%s + made.n) * interval '1 second'
                    FROM unnest(%s::text[]) WITH ORDINALITY AS made(id, n)
                    ON CONFLICT DO NOTHING
                    """,
                    [user_ids, first, len(user_ids), first, ids],
                )
            return
        now = timezone.now()
        ReleaseOwner.objects.bulk_create(
            [
                ReleaseOwner(release_id=pk, user_id=user_ids[(first + n) % len(user_ids)], created_at=now)
                for n, pk in enumerate(ids)
            ],
            ignore_conflicts=True,
        )

    def _insert(self, version_id: int, checksums: dict, first: int, size: int) -> list[str]:
        """Insert `size` rows numbered from `first`; return their ids (16 base32 letters, as real ones)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    """
                    INSERT INTO licenses_release (id, version_id, "values", checksums, created_at)
                    SELECT translate(substr(md5('fill-' || n), 1, 16), '0189', 'wxyz'), %s,
                           jsonb_build_object('licensor', 'Fill Labs ' || n, 'model', 'Fill-' || n,
                                              'year', '2026', 'location', 'https://huggingface.co/fill/m-' || n),
                           %s::jsonb, now() - n * interval '1 second'
                    FROM generate_series(%s, %s) AS n
                    ON CONFLICT (id) DO NOTHING
                    RETURNING id
                    """,
                    [version_id, json.dumps(checksums), first, first + size - 1],
                )
                return [row[0] for row in cursor.fetchall()]
        rows = []
        for n in range(first, first + size):
            digest = hashlib.md5(f"fill-{n}".encode(), usedforsecurity=False).hexdigest()[:16]
            rows.append(
                Release(
                    id=digest.translate(str.maketrans("0189", "wxyz")),
                    version_id=version_id,
                    values={
                        "licensor": f"Fill Labs {n}",
                        "model": f"Fill-{n}",
                        "year": "2026",
                        "location": f"https://huggingface.co/fill/m-{n}",
                    },
                    checksums=checksums,
                    created_at=timezone.now(),
                )
            )
        Release.objects.bulk_create(rows, ignore_conflicts=True)
        return [row.id for row in rows]
