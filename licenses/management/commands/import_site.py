from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from licenses.archive import ArchiveError, describe_counts, import_site, read_manifest


class Command(BaseCommand):
    help = (
        "Restore an export made by export_site into an empty database (after `manage.py migrate`), "
        "with the same ids, timestamps and bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a directory written by export_site")

    def handle(self, *args, directory: Path, **options):
        try:
            import_site(directory)
            counts = read_manifest(directory)["counts"]
        except ArchiveError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Imported {describe_counts(counts)} from {directory}.")
