"""Render a Markdown source to every format the site serves: HTML, Markdown, plain text and PDF.

Pure functions: no request and no database. The same Markdown configuration serves published
pages, downloads and the editor's live preview, so what an editor sees is what gets published.

License templates write their fill-in fields as ``{{name}}``. Filling never goes through a template
engine and never through the Markdown parser: each placeholder becomes an inert token before
parsing, and tokens are replaced at the very end with the value escaped for the target format.
A value therefore lands as text, exactly where its placeholder was, and cannot add or remove a
word of the surrounding terms.
"""

import html
import mimetypes
import re
import textwrap
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown as markdown_lib
import nh3
from django.utils.text import slugify
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

# Every renderer the site has had. A release records the one its files were made with and is re-rendered
# (and verified) with it for good; a published version's metadata names its own. Add a renderer, never
# change one: what a renderer makes, for the same inputs, is the same bytes forever.
#   "1": values as typed; .txt wrapped by code points; PDF in DejaVu, other scripts from the host's fonts.
#   "2": values isolated (<bdi> in HTML and PDF, U+2068/U+2069 in text and Markdown); no second period
#        after a value that ends with one; .txt wrapped by display width (wide characters take two
#        columns); PDF drawn only with the fonts the project ships (fonts.py), tagged, with a Subject and
#        the creation date it is given.
RENDERERS = ("1", "2")
# The renderer of what is made from now on: releases and filled-in files. Part of every cache key.
RENDERER_VERSION = "2"
# A published version takes the renderer of its publication time, as a format takes its `added` time
# (formats.py): a database that publishes 1.0 from the content files today gives it, byte for byte, what
# every other database gave it. The time is a week after this code, so that every host has it first.
VERSIONS_RENDERED_WITH = ((datetime(2026, 12, 9, tzinfo=UTC), "2"),)


def version_renderer_at(moment: datetime | None) -> str:
    """Return the renderer of a version published at `moment` (None: a draft, published now)."""
    moment = moment or datetime.now(UTC)
    renderer = "1"
    for since, later in VERSIONS_RENDERED_WITH:
        if moment >= since:
            renderer = later
    return renderer


TEXT_WIDTH = 78
ASSETS_DIR = Path(__file__).resolve().parent.parent / "static"

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z][a-z0-9_]{0,39})\s*\}\}")
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: never valid in sources or values
_BREAK = "\ue003"  # a hard line break while converting HTML to text
# A token, and the period that follows it in the template (renderer 2 drops it after a value ending in one).
_TOKEN_RE = re.compile(f"{_OPEN}([a-z][a-z0-9_]*){_CLOSE}(\\.?)")
# First-strong isolate and pop directional isolate: a value reads in its own direction and leaves the
# terms around it in theirs (renderer 2's .txt and .md). Values never carry them (_FORBIDDEN_RE).
_ISOLATE, _POP = "\u2068", "\u2069"

# Characters that must never reach a rendered file: controls, line and paragraph separators,
# bidirectional overrides and marks (they can visually reorder the terms), and private-use code
# points (our own tokens).
_FORBIDDEN_RE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ue000-\uf8ff]")

Values = Mapping[str, str] | None


def placeholders(markdown: str) -> list[str]:
    """Return the names of the placeholders in a template, in order of first appearance."""
    return list(dict.fromkeys(PLACEHOLDER_RE.findall(markdown)))


def placeholder_label(name: str) -> str:
    """Return how an unfilled field shows in HTML, text and PDF."""
    return f"[{name.upper()}]"


def neutralise(value: str) -> str:
    """Return a value as one line of plain text: NFC, no control or bidi characters, single spaces."""
    value = unicodedata.normalize("NFC", str(value))
    value = _FORBIDDEN_RE.sub(" ", value)
    return re.sub(r" {2,}", " ", value).strip()


def escape_markdown(value: str) -> str:
    """Return a value escaped so that Markdown renderers show it as literal text."""
    out = []
    for i, char in enumerate(value):
        if char == "&":
            out.append("&amp;")
        elif char == "<":
            out.append("&lt;")
        elif char == "~":
            out.append("&#126;")
        elif char in "\\`*[]":
            out.append("\\" + char)
        elif char == "_":
            # An underscore inside a word is literal in every Markdown dialect; elsewhere escape it.
            inside = 0 < i < len(value) - 1 and value[i - 1].isalnum() and value[i + 1].isalnum()
            out.append(char if inside else "\\_")
        else:
            out.append(char)
    text = "".join(out)
    # A value at the start of a line must not open a heading, list, quote or rule.
    if text[:1] in ("#", "+", "-", ">"):
        text = "\\" + text
    elif text[:1] == "=":
        text = "&#61;" + text[1:]
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", text)


def _tokenize(markdown: str) -> str:
    markdown = markdown.replace(_OPEN, "").replace(_CLOSE, "")
    return PLACEHOLDER_RE.sub(lambda m: f"{_OPEN}{m[1]}{_CLOSE}", markdown)


def _fill_tokens(text: str, values: Values, filled, unfilled, renderer: str = "1") -> str:
    """Replace every token in one pass (a value is never scanned again)."""
    values = values or {}

    def replace(match: re.Match) -> str:
        name, period = match[1], match[2]
        if values.get(name):
            value = neutralise(values[name])
            if renderer != "1" and value.endswith(".") and period:
                period = ""  # "Gamma Labs Inc." then "." is one period, not two
            return filled(value) + period
        return unfilled(name) + period

    return _TOKEN_RE.sub(replace, text)


def check_renderer(renderer: str) -> str:
    if renderer not in RENDERERS:
        raise ValueError(f"There is no renderer {renderer!r}; the renderers are {', '.join(RENDERERS)}.")
    return renderer


class _SectionAnchors(Treeprocessor):
    """Give headings stable ids: '## 3. Grant' becomes id="section-3", '### 3.1 …' section-3-1."""

    def run(self, root):
        seen: set[str] = set()
        for element in root.iter():
            if element.tag not in ("h1", "h2", "h3", "h4"):
                continue
            text = "".join(element.itertext()).strip()
            number = re.match(r"(\d+(?:\.\d+)*)\.?(\s|$)", text)
            anchor = f"section-{number[1].replace('.', '-')}" if number else slugify(text) or "section"
            candidate, n = anchor, 2
            while candidate in seen:
                candidate, n = f"{anchor}-{n}", n + 1
            seen.add(candidate)
            element.set("id", candidate)


class _SectionAnchorExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_SectionAnchors(md), "section_anchors", 5)


_ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "strong", "em", "b", "i",
    "a", "code", "pre", "blockquote", "del", "sub", "sup", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    **{tag: {"id"} for tag in ("h1", "h2", "h3", "h4", "h5", "h6")},
}


def _body_html(markdown: str) -> str:
    """Return sanitized HTML for a source, with placeholders still as tokens."""
    converter = markdown_lib.Markdown(extensions=["sane_lists", _SectionAnchorExtension()], output_format="html")
    raw = converter.convert(_tokenize(markdown))
    clean = nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return re.sub(
        r'(<h([2-4]) id="([^"]+)">)(.*?)(</h\2>)',
        lambda m: f'{m[1]}{m[4]} <a class="section-link" href="#{m[3]}" aria-label="Link to this section">#</a>{m[5]}',
        clean,
        flags=re.S,
    )


def table_of_contents(body_html: str) -> list[tuple[str, str]]:
    """Return (anchor, heading text) for each second-level heading of rendered HTML."""
    contents = []
    for anchor, inner in re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', body_html, flags=re.S):
        text = re.sub(r'<a class="section-link".*?</a>|<[^>]+>', "", inner, flags=re.S)
        contents.append((anchor, html.unescape(text).strip()))
    return contents


def to_html(markdown: str, values: Values = None, renderer: str = RENDERER_VERSION, *, for_pdf: bool = False) -> str:
    """Return the sanitized HTML of a Markdown source, with any field values filled in. From renderer 2
    on a right-to-left value is isolated: by <bdi> for browsers, and for the PDF by U+2068 … U+2069,
    which Pango's bidi algorithm honours (WeasyPrint ignores <bdi>)."""
    isolate = check_renderer(renderer) != "1"

    def filled(value: str) -> str:
        escaped = html.escape(value, quote=True)
        if not (isolate and right_to_left(value)):
            return escaped
        return f"<bdi>{_ISOLATE}{escaped}{_POP}</bdi>" if for_pdf else f"<bdi>{escaped}</bdi>"

    return _fill_tokens(
        _body_html(markdown),
        values,
        filled=filled,
        unfilled=lambda name: f'<span class="placeholder" data-field="{name}">{placeholder_label(name)}</span>',
        renderer=renderer,
    )


def right_to_left(value: str) -> bool:
    """Return whether a value holds right-to-left text (Hebrew, Arabic letters or digits): the values
    that, set among left-to-right terms without isolation, can reorder what surrounds them. Isolating
    the others would change nothing a reader sees, and would put invisible characters in the way of
    grep and of license scanners."""
    return any(unicodedata.bidirectional(char) in ("R", "AL", "AN") for char in value)


def isolated(value: str, renderer: str = RENDERER_VERSION) -> str:
    """Return a value as plain text puts it among other words: from renderer 2 on, right-to-left values
    between a first-strong isolate and its pop, so that each reads in its own direction."""
    if check_renderer(renderer) == "1" or not right_to_left(value):
        return value
    return f"{_ISOLATE}{value}{_POP}"


def to_markdown(markdown: str, values: Values = None, renderer: str = RENDERER_VERSION) -> str:
    """Return the normalized Markdown source, with any field values filled in and escaped."""
    lines = [line.rstrip() for line in markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
    return _fill_tokens(
        _tokenize(text),
        values,
        filled=lambda v: isolated(escape_markdown(v), renderer),
        unfilled=lambda name: "{{" + name + "}}",
        renderer=renderer,
    )


def to_text(markdown: str, values: Values = None, renderer: str = RENDERER_VERSION) -> str:
    """Return the plain text of a Markdown source, wrapped at 78 columns, with values filled in."""
    writer = _TextWriter(values, check_renderer(renderer))
    writer.feed(_body_html(markdown))
    writer.close()
    return writer.result()


class _TextWriter(HTMLParser):
    """Turn the sanitized HTML of a document into plain text that reads well in a terminal."""

    _BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "hr", "ul", "ol", "table", "tr"}

    def __init__(self, values: Values, renderer: str):
        super().__init__(convert_charrefs=True)
        self.values = values
        self.renderer = renderer
        self.blocks: list[tuple[str, str]] = []  # (kind, text)
        self.inline: list[str] = []
        self.indent = ""
        self.marker: str | None = None  # the list marker waiting for an item's first line
        self.lists: list[list] = []  # [tag, next number]
        self.indent_stack: list[str] = []
        self.link_stack: list[str | None] = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.skip:
            self.skip += tag == "a"
            return
        if tag == "a" and attrs.get("class") == "section-link":
            self.skip = 1
            return
        if tag in self._BLOCKS:
            self.flush()
        if tag in ("ul", "ol"):
            start = int(attrs.get("start") or 1) if str(attrs.get("start") or "1").isdigit() else 1
            self.lists.append([tag, start])
        elif tag == "li":
            kind, number = self.lists[-1] if self.lists else ("ul", 1)
            marker = f"{number}. " if kind == "ol" else "- "
            if self.lists:
                self.lists[-1][1] += 1
            self.indent_stack.append(self.indent)
            self.marker = self.indent + "  " + marker
            self.indent = self.indent + "  " + " " * len(marker)
        elif tag == "blockquote":
            self.indent_stack.append(self.indent)
            self.indent += "    "
        elif tag == "pre":
            self.pre += 1
        elif tag == "br":
            self.inline.append(_BREAK)
        elif tag == "hr":
            self.blocks.append(("para", self.indent + "* * *"))
        elif tag == "a":
            self.link_stack.append(attrs.get("href"))
            self.inline.append("\ue002")  # marks where the link text starts
        elif tag in ("td", "th"):
            self.inline.append(" | " if self.inline else "")

    def handle_endtag(self, tag):
        if self.skip:
            self.skip -= tag == "a"
            return
        if tag == "a":
            href = self.link_stack.pop() if self.link_stack else None
            text = "".join(self.inline)
            start = text.rfind("\ue002")
            label = text[start + 1 :]
            self.inline = [text[:start], label]
            if href and not href.startswith("#") and href not in label:
                self.inline.append(f" ({href})")
            return
        if tag in self._BLOCKS:
            kind = "item" if tag == "li" else "para"
            self.flush(kind)
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag in ("li", "blockquote"):
            self.indent = self.indent_stack.pop() if self.indent_stack else ""
            self.marker = None
        elif tag == "pre":
            self.pre -= 1

    def handle_data(self, data):
        if not self.skip:
            self.inline.append(data)

    def flush(self, kind: str = "para"):
        raw = "".join(self.inline).replace("\ue002", "")
        self.inline = []
        if self.pre:
            lines = raw.strip("\n").split("\n")
            if raw.strip():
                self.blocks.append(("para", "\n".join(self.indent + "    " + line for line in lines)))
            return
        raw = _fill_tokens(
            raw,
            self.values,
            filled=lambda v: isolated(v, self.renderer),
            unfilled=placeholder_label,
            renderer=self.renderer,
        )
        pieces = [re.sub(r"[ \t\n\r\f\v]+", " ", piece).strip() for piece in raw.split(_BREAK)]
        if not any(pieces):
            return
        first = self.marker if self.marker is not None else self.indent
        if self.marker is not None:
            kind = "item"
        self.marker = None
        lines: list[str] = []
        for i, piece in enumerate(p for p in pieces if p):
            indent = first if i == 0 else self.indent
            if self.renderer == "1":
                wrapper = textwrap.TextWrapper(
                    width=TEXT_WIDTH,
                    initial_indent=indent,
                    subsequent_indent=self.indent,
                    break_long_words=True,
                    break_on_hyphens=False,
                )
                lines.extend(wrapper.wrap(piece))
            else:
                lines.extend(wrap(piece, TEXT_WIDTH, initial_indent=indent, subsequent_indent=self.indent))
        self.blocks.append((kind, "\n".join(lines)))

    def result(self) -> str:
        self.flush()
        out = ""
        previous = None
        for kind, text in self.blocks:
            if out:
                out += "\n" if kind == previous == "item" else "\n\n"
            out += text
            previous = kind
        return out + "\n"


def char_width(char: str) -> int:
    """Return the terminal columns of one character: 2 for East Asian wide and full-width ones, 0 for
    combining marks and format characters (isolates, joiners), 1 for the rest."""
    if unicodedata.category(char) in ("Mn", "Me", "Cf") or unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Return the columns a line of text takes in a terminal (see char_width)."""
    return sum(char_width(char) for char in text)


def _split_at_width(word: str, room: int) -> tuple[str, str]:
    """Split a word after as many characters as fit in `room` columns (one at least), keeping each
    character with the zero-width marks that follow it."""
    used, cut = 0, 0
    for i, char in enumerate(word):
        width = char_width(char)
        if width and used + width > room and cut:
            break
        used += width
        cut = i + 1
    return word[:cut], word[cut:]


def wrap(text: str, width: int, *, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """Wrap a paragraph at spaces so that no line is wider than `width` display columns; a word wider
    than a whole line is broken where it reaches the margin. On text of one-column characters it
    gives the lines textwrap gives."""
    lines: list[str] = []
    line, indent = "", initial_indent
    for word in text.split(" "):
        while word:
            room = width - display_width(indent)
            candidate = f"{line} {word}" if line else word
            if display_width(candidate) <= room:
                line, word = candidate, ""
            elif line:  # the word starts the next line
                lines.append(indent + line)
                line, indent = "", subsequent_indent
            else:  # wider than a whole line
                head, word = _split_at_width(word, room)
                lines.append(indent + head)
                indent = subsequent_indent
    if line:
        lines.append(indent + line)
    return lines


@cache
def _weasyprint():
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ProjectAssetFetcher(URLFetcher):
        """Fetch only files under the project's static folder; refuse every other URL."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"refused to fetch {url[:80]!r}: only the site's own assets are read")
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(ASSETS_DIR) or not path.is_file():
                raise ValueError(f"refused to fetch {url[:80]!r}: not one of the site's assets")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    # One fetcher for every render: URLFetcher's constructor builds an HTTPS handler with a fresh SSL
    # context (milliseconds, and native memory that is not all given back), and this fetch keeps no
    # state between calls.
    return weasyprint, FontConfiguration, ProjectAssetFetcher()


# The widest word a field value may hold. WeasyPrint never breaks inside a word, so a longer one runs
# off the page. pdf.css gives 166 mm of text (a 210 mm page less two 22 mm margins), 7 mm less in a
# list; the word is measured at the body size in the regular face, as values are set.
PDF_WORD_LIMIT_PT = 440.0
PDF_BODY_SIZE_PT = 10.5


@cache
def _regular_advances() -> tuple[dict[int, int], float]:
    from fontTools.ttLib import TTFont

    font = TTFont(ASSETS_DIR / "fonts" / "DejaVuSerif.ttf", lazy=True)
    advances = {code: font["hmtx"][glyph][0] for code, glyph in font.getBestCmap().items()}
    return advances, float(font["head"].unitsPerEm)


def widest_pdf_word(value: str) -> tuple[str, float]:
    """Return the widest unbreakable word of a value and its width in points in the PDF.

    Lines may break at spaces, on either side of a wide (CJK) character, and after a slash or a
    hyphen that a digit does not follow (Unicode's line-breaking rules, as Pango applies them). A
    character our fonts lack is counted one em wide, as the fallback fonts draw it.
    """
    if not value:
        return "", 0.0
    advances, em = _regular_advances()
    words, word = [], ""
    for char, following in zip(value, value[1:] + " ", strict=True):
        if char.isspace() or unicodedata.east_asian_width(char) in ("W", "F"):
            words += [word, char]
            word = ""
            continue
        word += char
        if char in "/-" and not following.isdigit():
            words.append(word)
            word = ""
    words.append(word)
    widths = {word: sum(advances.get(ord(char), em) for char in word) / em * PDF_BODY_SIZE_PT for word in words}
    widest = max(widths, key=widths.get)
    return widest, widths[widest]


def pdf_document(
    body_html: str,
    *,
    title: str,
    author: str,
    url: str,
    marker: str = "",
    renderer: str = RENDERER_VERSION,
    subject: str = "",
    created: datetime | None = None,
) -> str:
    """Return the HTML page a PDF is printed from: the body, its title and permalink, our stylesheet;
    from renderer 2 on, its Subject and creation date too (given, so that the bytes are the same on
    every render)."""
    marker_html = f'<p class="marker">{html.escape(marker)}</p>' if marker else ""
    if check_renderer(renderer) == "1":
        head = '<link rel="stylesheet" href="css/pdf.css">'
    else:
        head = '<link rel="stylesheet" href="css/pdf-2.css">'
        if subject:
            head += f'<meta name="description" content="{html.escape(subject, quote=True)}">'
        if created is not None:
            head += f'<meta name="dcterms.created" content="{created.strftime("%Y-%m-%dT%H:%M:%SZ")}">'
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        f'<meta name="author" content="{html.escape(author, quote=True)}">'
        f'<meta name="generator" content="Open Weights">{head}</head><body>'
        f'<p class="permalink">{html.escape(url)}</p>{marker_html}'
        f'<main class="document">{body_html}</main></body></html>'
    )


@cache
def _font_config():
    # One per process: a new FontConfiguration per render leaks memory (fontconfig state) and
    # the output is byte-identical either way.
    return _weasyprint()[1]()


def preload() -> None:
    """Import WeasyPrint now (it takes most of a second), e.g. in gunicorn's master before forking."""
    _weasyprint()


def to_pdf(document_html: str, renderer: str = RENDERER_VERSION) -> bytes:
    """Return the PDF of an HTML page made by pdf_document(); it reads only the site's own assets.

    Renderer 1 let fontconfig fall back on the host's fonts (and stays so, for the releases made with
    it); from 2 on only the project's fonts are seen, and the PDF is tagged (its structure is there
    for screen readers)."""
    from . import fonts  # fontTools and WeasyPrint, loaded when a PDF is first made

    weasyprint, _, fetcher = _weasyprint()
    first = check_renderer(renderer) == "1"
    font_config = _font_config() if first else fonts.project_font_config()
    page = weasyprint.HTML(string=document_html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=fetcher)
    options = {} if first else {"pdf_tags": True}
    return page.write_pdf(font_config=font_config, pdf_identifier=b"open-weights", uncompressed_pdf=False, **options)
