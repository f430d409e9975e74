"""Static files as whitenoise keeps them (content-hashed names, gzip and Brotli forms beside each
file), compressed again only when a file has changed.

whitenoise compresses every file on every `collectstatic`, and Brotli at its best setting takes
about 50 seconds for the fonts here, so that each `make run` and `make production` spent most of its
start-up on work already done. The compressed forms of a file with a hashed name are of that name's
bytes (the name is of its content, though Django writes some such files again, with a new time); those
of a file under its own name are kept when they carry its modification time, as whitenoise writes
them (a changed source is copied anew, with a new time).
"""

import os

from whitenoise.storage import CompressedManifestStaticFilesStorage

SUFFIXES = (".br", ".gz")


class CompressedOnceStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def compress_files(self, paths):
        paths = list(paths)
        hashed = set(self.hashed_files.values())
        current = {path: self.current_forms(path, path in hashed) for path in paths}
        yield from super().compress_files([path for path in paths if not current[path]])
        for path, forms in current.items():
            for form in forms:
                yield path, form

    def current_forms(self, path: str, hashed: bool) -> list[str]:
        """The compressed forms of `path` written from its present bytes; [] when any may be stale."""
        forms = [path + suffix for suffix in SUFFIXES if os.path.exists(self.path(path + suffix))]
        if forms and hashed:
            return forms
        source = os.stat(self.path(path)).st_mtime
        # whitenoise sets a form's time from a float, which keeps it to about a tenth of a microsecond.
        if forms and all(abs(os.stat(self.path(form)).st_mtime - source) < 1e-6 for form in forms):
            return forms
        return []
