"""collectstatic compresses a static file once: again only when its bytes change (config/staticfiles.py)."""

import os

import brotli
from django.core.management import call_command
from django.test import override_settings

STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.staticfiles.CompressedOnceStaticFilesStorage"},
}


def collect(source, root):
    only_these = ["django.contrib.staticfiles.finders.FileSystemFinder"]  # not the apps' own
    with override_settings(
        STATICFILES_DIRS=[source], STATIC_ROOT=root, STORAGES=STORAGE, STATICFILES_FINDERS=only_these
    ):
        call_command("collectstatic", "--noinput", verbosity=0)


def test_an_unchanged_file_keeps_its_compressed_forms_and_a_changed_one_gets_new_ones(tmp_path):
    source, root = tmp_path / "static", tmp_path / "collected"
    (source / "css").mkdir(parents=True)
    sheet, script = source / "css" / "site.css", source / "css" / "other.css"
    sheet.write_text("body { color: black; }\n" * 200)
    script.write_text("p { margin: 0; }\n" * 200)
    collect(source, root)
    forms = {path: path.stat().st_ctime_ns for path in root.rglob("*") if path.suffix in (".br", ".gz")}
    assert root / "css" / "site.css.br" in forms and root / "css" / "site.css.gz" in forms
    assert len([path for path in forms if "other" in path.name]) == 4, "the file and its hashed copy, two forms each"

    collect(source, root)
    rewritten = [path for path, ctime in forms.items() if path.stat().st_ctime_ns != ctime]
    assert rewritten == [], "nothing changed, so nothing is compressed again"

    sheet.write_text("body { color: navy; }\n" * 200)
    later = sheet.stat().st_mtime + 10  # collectstatic copies a file changed in a later second only
    os.utime(sheet, (later, later))
    collect(source, root)
    assert brotli.decompress((root / "css" / "site.css.br").read_bytes()) == sheet.read_bytes()
    assert (root / "css" / "site.css.br").stat().st_ctime_ns != forms[root / "css" / "site.css.br"]
    assert all(path.stat().st_ctime_ns == ctime for path, ctime in forms.items() if "other" in path.name)
    hashed = list((root / "css").glob("site.*.css.br"))
    assert len(hashed) == 2 and any(brotli.decompress(p.read_bytes()) == sheet.read_bytes() for p in hashed)
