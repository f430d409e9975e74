"""The fonts of PDF renderer 2: only the files the project ships, whatever the host has installed.

Renderer 1 (static/css/pdf.css with WeasyPrint's default FontConfiguration) draws what DejaVu lacks
with the host's fonts, or with empty boxes, so its PDFs depend on the machine; it stays as it is,
because old releases are re-verified with it. Renderer 2 (static/css/pdf-2.css with
project_font_config()) lets fontconfig see the files of PDF_FONTS and nothing else, and
missing_characters() tells a form which characters of a value those files cannot draw.
"""

import unicodedata
from functools import cache
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# In the order pdf-2.css falls back through them: DejaVu (Latin, Greek, Cyrillic, Vietnamese), one
# font per script, CJK, Hangul, emoji. static/fonts/README.md says where each comes from.
PDF_FONTS = [
    "fonts/DejaVuSerif.ttf",
    "fonts/DejaVuSerif-Bold.ttf",
    "fonts/DejaVuSerif-Italic.ttf",
    "fonts/DejaVuSerif-BoldItalic.ttf",
    "fonts/DejaVuSansMono.ttf",
    "fonts/NotoNaskhArabic-Regular.ttf",
    "fonts/NotoSansHebrew-Regular.ttf",
    "fonts/NotoSansDevanagari-Regular.ttf",
    "fonts/NotoSansBengali-Regular.ttf",
    "fonts/NotoSansTamil-Regular.ttf",
    "fonts/NotoSansTelugu-Regular.ttf",
    "fonts/NotoSansKannada-Regular.ttf",
    "fonts/NotoSansMalayalam-Regular.ttf",
    "fonts/NotoSansGujarati-Regular.ttf",
    "fonts/NotoSansGurmukhi-Regular.ttf",
    "fonts/NotoSansOriya-Regular.ttf",
    "fonts/NotoSansSinhala-Regular.ttf",
    "fonts/NotoSansThai-Regular.ttf",
    "fonts/DroidSansFallbackFull.ttf",
    "fonts/DroidSansFallback-Hangul.ttf",
    "fonts/Symbola-Emoji.ttf",
]

# Characters that shaping consumes and never draws, beyond the format characters (Cf: ZWJ, ZWNJ,
# bidi marks and isolates, soft hyphen, tags): variation selectors (emoji or text style, CJK
# variants), the combining grapheme joiner and Mongolian free variation selectors.
_NOT_DRAWN_RANGES = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF), (0x034F, 0x034F), (0x180B, 0x180F))

# The fontconfig library under the same names WeasyPrint tries, so both share one loaded copy.
_FONTCONFIG_NAMES = (
    "libfontconfig-1",
    "fontconfig-1",
    "fontconfig",
    "libfontconfig.so.1",
    "libfontconfig.1.dylib",
    "libfontconfig-1.dll",
)


@cache
def _covered() -> frozenset[int]:
    """Return every code point that some font of renderer 2 maps to a glyph (read once per process)."""
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for name in PDF_FONTS:
        with TTFont(STATIC_DIR / name, lazy=True) as font:
            covered.update(code for code, glyph in font.getBestCmap().items() if glyph != ".notdef")
    return frozenset(covered)


def _is_drawn(char: str) -> bool:
    code = ord(char)
    if char.isspace() or unicodedata.category(char) == "Cf":
        return False
    return not any(low <= code <= high for low, high in _NOT_DRAWN_RANGES)


def missing_characters(value: str) -> list[str]:
    """Return, in order of appearance, the distinct drawn characters of a value that no font of renderer 2 has."""
    covered = _covered()
    return list(dict.fromkeys(char for char in value if ord(char) not in covered and _is_drawn(char)))


@cache
def _dejavu_serif() -> frozenset[int]:
    """Return the code points DejaVu Serif has: all that renderer 1 could count on (read once per process)."""
    from fontTools.ttLib import TTFont

    with TTFont(STATIC_DIR / PDF_FONTS[0], lazy=True) as font:
        return frozenset(code for code, glyph in font.getBestCmap().items() if glyph != ".notdef")


def outside_dejavu(value: str) -> list[str]:
    """Return the distinct drawn characters of a value that DejaVu Serif lacks: renderer 1's PDF drew them
    with whatever the host had, or as empty boxes."""
    covered = _dejavu_serif()
    return list(dict.fromkeys(char for char in value if ord(char) not in covered and _is_drawn(char)))


@cache
def _fontconfig_create():
    """Return FcConfigCreate, which WeasyPrint 70's ffi does not declare, from the library it loaded."""
    from contextlib import suppress

    from cffi import FFI

    ffi = FFI()
    ffi.cdef("typedef struct _FcConfig FcConfig; FcConfig * FcConfigCreate (void);")
    for name in _FONTCONFIG_NAMES:
        with suppress(OSError):
            return ffi, ffi.dlopen(name).FcConfigCreate
    raise OSError("fontconfig could not be loaded")


def _project_fc_config():
    """Return a new FcConfig, as WeasyPrint's ffi sees it, that holds the fonts of PDF_FONTS and no other."""
    from weasyprint.text.ffi import ffi, fontconfig

    own_ffi, create = _fontconfig_create()
    # FcConfigCreate starts empty: unlike FcInitLoadConfigAndFonts it reads no FONTCONFIG_FILE, no
    # /etc/fonts, no rules and no host or user fonts. It is not made the process's current config,
    # so renderer 1's FontConfiguration() is unchanged. Each file is added as an application font,
    # as WeasyPrint adds @font-face files: scanned once, with no fontconfig cache read or written.
    config = ffi.cast("FcConfig *", int(own_ffi.cast("uintptr_t", create())))
    if config == ffi.NULL:
        raise MemoryError("FcConfigCreate failed")
    for name in PDF_FONTS:
        if not fontconfig.FcConfigAppFontAddFile(config, str(STATIC_DIR / name).encode()):
            fontconfig.FcConfigDestroy(config)
            raise RuntimeError(f"fontconfig could not load static/{name}")
    return config


@cache
def project_font_config():
    """Return, once per process, a WeasyPrint FontConfiguration whose fontconfig sees only the project's fonts."""
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2
    from weasyprint.text.fonts import FontConfiguration

    class ProjectFontConfiguration(FontConfiguration):
        """WeasyPrint's FontConfiguration with its FcConfig swapped for the project's."""

        def __init__(self):
            super().__init__()
            # add_font_face() adds @font-face files to self._config, so they join the project's fonts.
            self._config = _project_fc_config()
            # The font map takes its own reference and drops the one to the host's config.
            pangoft2.pango_fc_font_map_set_config(ffi.cast("PangoFcFontMap *", self.font_map), self._config)
            fontconfig.FcConfigDestroy(self._config)

    return ProjectFontConfiguration()
