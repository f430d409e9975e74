from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from licenses.archive import ArchiveError, describe_counts, export_site, read_manifest


class Command(BaseCommand):
    help = (
        "Write the whole site (documents, versions, renditions, releases, comments, audit trail, accounts) "
        "to DIR as Markdown, JSON and the stored files. The export holds password hashes: keep it private."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a new or empty directory, or a previous export to replace")

    def handle(self, *args, directory: Path, **options):
        try:
            export_site(directory)
        except ArchiveError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Exported {describe_counts(read_manifest(directory)['counts'])} to {directory}.")
