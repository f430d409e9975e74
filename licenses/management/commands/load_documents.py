from django.core.management.base import BaseCommand, CommandError

from licenses.loading import ContentError, load_documents


class Command(BaseCommand):
    help = "Load and publish the canonical texts from licenses/content/ (idempotent)."

    def handle(self, *args, **options):
        try:
            report = load_documents()
        except ContentError as error:
            raise CommandError(str(error)) from error
        for name in report.created:
            self.stdout.write(f"published {name}")
        for name in report.completed:
            self.stdout.write(f"rendered {name}, a format added since its publication")
        self.stdout.write(f"{len(report.created)} published, {len(report.unchanged)} already up to date.")
