from django.core.management.base import BaseCommand, CommandError

from licenses.static_export import CONFIG_NAME, ExportError, export_static


class Command(BaseCommand):
    help = (
        "Write every published version, the pages and the static assets as a static tree that nginx or a CDN "
        f"serves at the same URLs with the same bytes, plus nginx rules in DIR/{CONFIG_NAME}."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="a new or empty directory, or an earlier export")

    def handle(self, *args, directory, **options):
        try:
            report = export_static(directory)
        except ExportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(report.summary())
