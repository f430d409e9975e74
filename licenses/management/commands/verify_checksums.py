from django.core.management.base import BaseCommand, CommandError

from licenses.models import Release, Version
from licenses.publishing import verify_checksums


class Command(BaseCommand):
    help = (
        "Re-render every published version in every stored format and every release in txt, md and pdf, "
        "and compare with the recorded SHA-256; fail naming each file that drifted."
    )

    def handle(self, *args, **options):
        problems = verify_checksums()
        if problems:
            for line in problems:
                self.stdout.write(line)
            # Each line starts with what drifted ("owpl 1.0 .txt", "release abc .pdf") before the colon.
            drifted = ", ".join(line.split(": ", 1)[0] for line in problems)
            raise CommandError(f"{len(problems)} file(s) no longer match their recorded checksums: {drifted}.")
        versions, releases = Version.objects.published().count(), Release.objects.count()
        self.stdout.write(f"{versions} versions and {releases} releases match their checksums")
