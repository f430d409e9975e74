import hashlib
import html
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from licenses import fonts, rendering

ROOT = Path(__file__).resolve().parent.parent
FONTS_DIR = rendering.ASSETS_DIR / "fonts"

NAMES = [
    "深度求索",
    "株式会社ＡＢＣ",
    "한국AI연구소",
    "भारत एआई लैब्स",
    "শক্তি ল্যাব",
    "தமிழ் ஆய்வகம்",
    "บริษัท ไทย เอไอ",
    "شركة فالكون",
    "חברת עברית",
    "Ελληνική ΑΕ",
    "Яндекс",
    "Tiếng Việt AI",
    "Emoji 🤗 Labs",
    "తెలుగు ల్యాబ్స్",  # Telugu
    "ಕನ್ನಡ ಎಐ ಸಂಸ್ಥೆ",  # Kannada
    "മലയാളം ലാബ്സ്",  # Malayalam
    "ગુજરાતી લેબ્સ",  # Gujarati
    "ਪੰਜਾਬੀ ਲੈਬਜ਼",  # Gurmukhi
    "ଓଡ଼ିଆ ଲ୍ୟାବ୍ସ",  # Odia
    "ශ්\u200dරී ලංකා ලැබ්ස්",  # Sinhala, with the ZWJ of "Sri"
]
LINEAR_B_A = "\U00010000"  # none of the shipped fonts has Linear B


def print_pdf_2(body: str, title: str = "Names") -> bytes:
    """Print a page as renderer 2 will: pdf-2.css, the project's fonts, rendering.to_pdf's fetching."""
    weasyprint, _, fetcher = rendering._weasyprint()
    document = rendering.pdf_document(body, title=title, author="Open Weights", url="https://x/1.0/")
    document = document.replace('href="css/pdf.css"', 'href="css/pdf-2.css"')
    page = weasyprint.HTML(string=document, base_url=rendering.ASSETS_DIR.as_uri() + "/", url_fetcher=fetcher)
    return page.write_pdf(font_config=fonts.project_font_config(), pdf_identifier=b"open-weights")


def name_page(name: str) -> str:
    """Return a body that sets a name as a heading, in running text and in bold, as licenses do."""
    value = html.escape(name)
    return f"<h1>{value}</h1><p>Copyright 2026 {value}. Licensed by <strong>{value}</strong>.</p>"


def _cmap_pairs(data: str) -> dict[int, str]:
    """Read a ToUnicode CMap: code -> the text it stands for."""
    pairs = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            pairs[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(text, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                pairs[code] = chr(start + offset)
    return pairs


def _cids(encoding) -> dict[int, int] | None:
    """Read a CID font's encoding: code -> CID, or None for Identity-H (the code is the CID)."""
    if not hasattr(encoding, "get_data"):
        assert encoding in ("/Identity-H", "/Identity-V"), encoding
        return None
    data = encoding.get_data().decode("latin-1")
    cids = {}
    for block in re.findall(r"begincidchar(.*?)endcidchar", data, re.S):
        for code, cid in re.findall(r"<([0-9a-fA-F]+)>\s+(\d+)", block):
            cids[int(code, 16)] = int(cid)
    for block in re.findall(r"begincidrange(.*?)endcidrange", data, re.S):
        for low, high, cid in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s+(\d+)", block):
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                cids[code] = int(cid) + offset
    return cids


def _glyph_of(font) -> tuple:
    """Return (code -> glyph id, code -> text) for a Type0 font as WeasyPrint embeds it."""
    descendant = font["/DescendantFonts"][0].get_object()
    cids = _cids(font["/Encoding"].get_object())
    gid_map = descendant.get("/CIDToGIDMap", "/Identity")
    gid_map = gid_map.get_object() if hasattr(gid_map, "get_object") else gid_map
    gids = None if gid_map == "/Identity" else gid_map.get_data()

    def glyph(code: int) -> int:
        cid = code if cids is None else cids.get(code, 0)
        if gids is None:
            return cid
        return int.from_bytes(gids[2 * cid : 2 * cid + 2], "big") if 2 * cid + 2 <= len(gids) else 0

    text = _cmap_pairs(font["/ToUnicode"].get_object().get_data().decode("latin-1")) if "/ToUnicode" in font else {}
    return glyph, text


def notdef_characters(pdf: bytes) -> list[str]:
    """Return what the PDF draws with glyph 0 (.notdef, an empty box): 'font:character' per shown code.

    Walks every text-showing operator of each page (and of the forms it paints), so only glyphs that
    are drawn count, and maps each 2-byte code through the font's encoding and CIDToGIDMap.
    """
    reader = PdfReader(io.BytesIO(pdf))
    found: list[str] = []

    def walk(content, resources):
        fonts_in_use = {name: ref.get_object() for name, ref in resources.get("/Font", {}).items()}
        current = None
        for operands, operator in ContentStream(content, reader).operations:
            if operator == b"Tf":
                current = fonts_in_use[operands[0]]
                assert current["/Subtype"] == "/Type0", "WeasyPrint embeds CID fonts"
                glyph, text = _glyph_of(current)
            elif operator in (b"Tj", b"TJ", b"'", b'"'):
                for string in operands[0] if operator == b"TJ" else operands[-1:]:
                    if not hasattr(string, "original_bytes"):
                        continue  # a TJ kerning number
                    data = string.original_bytes
                    for i in range(0, len(data), 2):
                        code = int.from_bytes(data[i : i + 2], "big")
                        if glyph(code) == 0:
                            found.append(f"{current['/BaseFont']}:{text.get(code, f'<{code:04x}>')}")
        for ref in resources.get("/XObject", {}).values():
            form = ref.get_object()
            if form.get("/Subtype") == "/Form":
                walk(form, form.get("/Resources", resources))

    for page in reader.pages:
        walk(page.get_contents(), page["/Resources"])
    return found


def test_the_notdef_detector_sees_the_empty_boxes_of_renderer_1_and_of_a_script_nobody_ships():
    old = rendering.to_pdf(rendering.pdf_document("<p>深度求索</p>", title="t", author="a", url="u", renderer="1"), "1")
    assert [entry.split(":", 1)[1] for entry in notdef_characters(old)] == list("深度求索")
    missing = notdef_characters(print_pdf_2(f"<p>Linear B {LINEAR_B_A}</p>"))
    assert missing == [f"{missing[0].split(':')[0]}:{LINEAR_B_A}"]


@pytest.mark.parametrize("name", NAMES)
def test_renderer_2_draws_every_name_with_real_glyphs(name):
    pdf = print_pdf_2(name_page(name), title=name)
    assert notdef_characters(pdf) == []
    assert fonts.missing_characters(name) == []


def test_bidi_isolates_around_a_name_draw_no_empty_box():
    pdf = print_pdf_2(name_page("\u2068شركة فالكون\u2069-7B"))
    assert notdef_characters(pdf) == []


def test_emoji_sequences_draw_no_empty_box():
    # ZWJ sequences, a skin tone, emoji and text presentation selectors: drawn as their parts, monochrome.
    pdf = print_pdf_2(name_page("👨\u200d👩\u200d👧 ❤\ufe0f 👍🏽 ☺\ufe0e 🤗"))
    assert notdef_characters(pdf) == []


def test_a_one_page_pdf_with_a_cjk_name_stays_small():
    pdf = print_pdf_2(name_page("深度求索 株式会社ＡＢＣ 한국AI연구소"))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert len(pdf) < 300_000, "the 4 MB CJK font is embedded as a subset"


def test_missing_characters_names_what_no_shipped_font_has_and_ignores_what_is_not_drawn():
    assert fonts.missing_characters(f"Lab {LINEAR_B_A} \U00013000 {LINEAR_B_A}") == [LINEAR_B_A, "\U00013000"]
    assert fonts.missing_characters("\u2068شركة\u2069 \u200d\u200c ❤\ufe0f ☺\ufe0e\t\u00a0") == []


def test_fontconfig_of_renderer_2_holds_exactly_the_shipped_fonts():
    assert sorted(str(path.relative_to(rendering.ASSETS_DIR)) for path in FONTS_DIR.glob("*.ttf")) == sorted(
        fonts.PDF_FONTS
    )


def test_shipped_fonts_match_their_checksums_and_sizes_in_the_readme():
    readme = (FONTS_DIR / "README.md").read_text()
    rows = {
        name: (sha, int(size.replace(",", "")))
        for name, sha, size in re.findall(r"^\| `([^`]+\.ttf)` \|.*?\| `([0-9a-f]{64})` \| ([\d,]+) \|", readme, re.M)
    }
    assert sorted(rows) == sorted(Path(name).name for name in fonts.PDF_FONTS)
    for name, (sha, size) in rows.items():
        data = (FONTS_DIR / name).read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (sha, size), name
    total = int(re.search(r"Total added by renderer 2: ([\d,]+) bytes", readme)[1].replace(",", ""))
    added = [path for path in FONTS_DIR.iterdir() if not path.name.startswith("DejaVu") and path.name != "README.md"]
    assert total == sum(path.stat().st_size for path in added)


_PRINT_IN_A_SUBPROCESS = """
import sys
from licenses import fonts, rendering
from tests.test_fonts import NAMES, name_page, print_pdf_2

if sys.argv[1] == "renderer-1-after-2":
    print_pdf_2(name_page(NAMES[0]))
if sys.argv[1] == "renderer-2":
    pdf = print_pdf_2("".join(name_page(name) for name in NAMES))
else:
    pdf = rendering.to_pdf(rendering.pdf_document("<p>Acme AI Labs 深度求索</p>", title="t", author="a", url="u"))
sys.stdout.buffer.write(pdf)
"""


def _print_in_a_subprocess(what: str, **environment: str) -> bytes:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **environment}
    done = subprocess.run(
        [sys.executable, "-c", _PRINT_IN_A_SUBPROCESS, what], cwd=ROOT, env=env, capture_output=True, check=True
    )
    assert b"Fontconfig" not in done.stderr, done.stderr.decode()
    return done.stdout


def test_renderer_2_prints_the_same_bytes_whatever_fonts_the_host_has(tmp_path):
    no_fonts = tmp_path / "fonts.conf"
    no_fonts.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n')
    here = _print_in_a_subprocess("renderer-2")
    without_host_fonts = _print_in_a_subprocess("renderer-2", FONTCONFIG_FILE=str(no_fonts), LANG="ja_JP.UTF-8")
    assert here.startswith(b"%PDF") and here == without_host_fonts
    assert here == print_pdf_2("".join(name_page(name) for name in NAMES))
    assert notdef_characters(here) == []


def test_renderer_1_prints_the_same_bytes_after_renderer_2_was_used_in_the_process():
    assert _print_in_a_subprocess("renderer-1") == _print_in_a_subprocess("renderer-1-after-2")
