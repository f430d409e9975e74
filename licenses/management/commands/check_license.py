from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from licenses import checker


class Command(BaseCommand):
    help = (
        "Check LICENSE files against the published texts, as /check/ does. Exits 0 only when every "
        "file is an exact copy of a published license version with every field filled in (for CI)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--model-card", type=Path, help="the README.md to check against the (first) LICENSE")

    def handle(self, *args, files, model_card, **options):
        card = self._read(model_card) if model_card else None
        failed = 0
        for index, path in enumerate(files):
            try:
                result = checker.check(self._read(path), model_card=card if index == 0 else None)
            except checker.CheckError as error:
                self.stderr.write(f"{path}: {error}")
                failed += 1
                continue
            good = (
                result.match == "exact" and not result.unfilled and not result.invalid and result.candidate.is_license
            )
            write = self.stdout.write if good else self.stderr.write
            write(f"{path}: {result.message}")
            for name, value in result.values.items():
                self.stdout.write(f"  {name}: {value}")
            for difference in result.differences[:20]:
                self.stdout.write(f"  - {difference.removed}\n  + {difference.added}")
            if result.model_card is not None:
                for problem in result.model_card["problems"]:
                    self.stderr.write(f"{model_card}: {problem}")
                good = good and result.model_card["agrees"]
            failed += not good
        if failed:
            raise CommandError(f"{failed} of {len(files)} file{'s' if len(files) != 1 else ''} did not pass.")

    @staticmethod
    def _read(path: Path) -> str:
        try:
            return checker.decode(path.read_bytes())
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
