"""A license template as SPDX license-list XML: the file that SPDX lists a license with, and that
SPDX's matchers (and ours) read.

The XML follows the structure of the plain text a release's LICENSE is (rendering.to_text): the
title is `<titleText>` and the copyright line under it `<copyrightText>` (matchers may find either
absent or different), list items start with a `<bullet>` (their number or dash, which matchers
ignore), and each fill-in field is an `<alt>` whose `match` admits any value the wizard accepts for it
(fields.py) and the field's visible placeholder (`[LICENSOR]`), which is its original text. Everything
else is literal, as the plain text has it: a changed word or an added sentence does not match.

Nothing else is `<optional>`: the texts have no appendix, no example and no "how to apply" after
their terms (what SPDX marks omittable), and the last paragraph, which dedicates the text to the public
domain and says that a changed text is not the OWPL, is part of Section 9. The Markdown syntax of the
`.md` form is not marked either (as some SPDX templates of Markdown licenses do): every optional
marker between two words gives a regular-expression reading of the template one more way to read the
space beside it, and a text that does not match is then refused in exponential time.

Pure: from the Markdown source and the declared fields, no request and no database.
"""

import re
import textwrap
from collections.abc import Mapping, Sequence
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from . import rendering

NAMESPACE = "http://www.spdx.org/license"
WIDTH = 100  # columns of the XML file


def field_pattern(spec: Mapping[str, Any]) -> str:
    """Return the `match` of a field's `<alt>`: a regular expression for every value the wizard accepts
    for the field, as the plain text shows it, and for its placeholder (the alt's original text).

    A value may wrap across lines, and a word longer than a line is broken, so the bounds are twice
    the field's longest value. A name starts and ends with a visible character, so that the spaces
    around it belong to the text: a matcher then has one way to read them, not several (which makes
    a regular-expression reading of a long template slow to refuse a text). A URL holds no space.
    Its slashes are left out of the pattern: some matchers read them as spaces.
    """
    name, kind = spec["name"], spec.get("kind", "text")
    bound = 2 * int(spec.get("max_length", 200))
    placeholder = re.escape(rendering.placeholder_label(name))
    if kind == "year":
        return f"[0-9]{{4}}|{placeholder}"
    if kind == "url":
        return f"https?:[^ ]{{1,{bound}}}|{placeholder}"
    if kind == "email":
        return f"[^ ]{{1,{bound}}}@[^ ]{{1,{bound}}}|{placeholder}"
    return f"\\S(?:.{{0,{bound - 2}}}\\S)?"  # any text: the placeholder too


def license_xml(
    markdown: str,
    *,
    fields: Sequence[Mapping[str, Any]] = (),
    license_id: str,
    name: str,
    url: str = "",
    published_at: datetime | None = None,
) -> bytes:
    """Return the SPDX license-list XML of a license template."""
    specs = {spec["name"]: spec for spec in fields}
    for placeholder in rendering.placeholders(markdown):
        specs.setdefault(placeholder, {"name": placeholder, "kind": "text"})
    builder = _TextBuilder(specs)
    builder.feed(rendering.to_html(markdown))
    builder.close()
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<SPDXLicenseCollection xmlns={quoteattr(NAMESPACE)}>",
        f'  <license isOsiApproved="false" licenseId={quoteattr(license_id)} name={quoteattr(name)}>',
    ]
    if url:
        lines += ["    <crossRefs>", f"      <crossRef>{escape(url)}</crossRef>", "    </crossRefs>"]
    notes = _notes(published_at, builder.alt_names)
    lines += _wrapped(f"<notes>{escape(notes)}</notes>", "    ")
    lines += ["    <text>", *builder.lines("      "), "    </text>", "  </license>", "</SPDXLicenseCollection>"]
    return ("\n".join(lines) + "\n").encode()


def _notes(published_at: datetime | None, alt_names: list[str]) -> str:
    published = f"Published on {published_at.day} {published_at:%B %Y}. " if published_at else ""
    names = ", ".join(alt_names[:-1]) + " and " + alt_names[-1] if len(alt_names) > 1 else "".join(alt_names)
    fields = f" (the alt elements {names})" if names else ""
    return f"{published}A template: the licensor fills in the notice at the top{fields}; the rest of the text is fixed."


def _wrapped(markup: str, indent: str) -> list[str]:
    """Wrap one element's markup at whitespace between words, never inside a tag (whitespace in the
    XML's text is insignificant: matchers normalise it)."""
    kept = re.sub(r"<[^>]*>", lambda tag: tag[0].replace(" ", _TAG_SPACE), markup)
    lines = textwrap.wrap(kept, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ",
                          break_long_words=False, break_on_hyphens=False)  # fmt: skip
    return [line.replace(_TAG_SPACE, " ") for line in lines]


_TAG_SPACE = "\ue004"  # a space inside a tag while wrapping (private use: never in a text)


class _TextBuilder(HTMLParser):
    """Turn the HTML of a template (rendering.to_html, fields unfilled) into the `<text>` of its XML,
    block for block as rendering's plain text writer lays it out."""

    _BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}

    def __init__(self, specs: Mapping[str, Mapping[str, Any]]):
        super().__init__(convert_charrefs=True)
        self.specs = specs
        self.seen: dict[str, int] = {}
        self.alt_names: list[str] = []
        # The tree: ("title" | "copyright" | "p", markup) and ("list", [item, …]), where an item is
        # [bullet, [node, …]]; `containers` holds the node lists being filled, innermost last.
        self.root: list = []
        self.containers: list[list] = [self.root]
        self.lists: list[list] = []  # [tag, next number, items]
        self.inline: list[str] = []
        self.block: str | None = None  # the tag of the block being read
        self.field: str | None = None  # inside a field's placeholder
        self.skip = 0  # inside a section link
        self.links: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.skip:
            self.skip += tag == "a"
            return
        if tag == "a" and attrs.get("class") == "section-link":
            self.skip = 1
        elif tag == "span" and attrs.get("class") == "placeholder":
            self.field = attrs.get("data-field")
        elif tag in ("ul", "ol"):
            self._flush()
            start = attrs.get("start") or "1"
            items: list = []
            self.containers[-1].append(("list", items))
            self.lists.append([tag, int(start) if start.isdigit() else 1, items])
        elif tag == "li":
            self._flush()
            kind, number, items = self.lists[-1] if self.lists else ("ul", 1, self.containers[-1])
            if self.lists:
                self.lists[-1][1] += 1
            children: list = []
            items.append((f"{number}." if kind == "ol" else "-", children))
            self.containers.append(children)
        elif tag in self._BLOCKS:
            self._flush()
            self.block = tag
        elif tag == "br":
            self.inline.append("<br/>")
        elif tag == "a":
            self.links.append(attrs.get("href"))
            self.inline.append("\ue002")

    def handle_endtag(self, tag):
        if self.skip:
            self.skip -= tag == "a"
            return
        if tag == "span" and self.field is not None:
            self.field = None
        elif tag == "a":
            href = self.links.pop() if self.links else None
            text = "".join(self.inline)
            start = text.rfind("\ue002")
            label = text[start + 1 :]
            self.inline = [text[:start], label]
            if href and not href.startswith("#") and href not in label:
                self.inline.append(f" ({escape(href)})")
        elif tag in self._BLOCKS:
            self._flush()
        elif tag == "li":
            self._flush()
            if len(self.containers) > 1:
                self.containers.pop()
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()

    def handle_data(self, data):
        if self.skip:
            return
        if self.field is not None:
            self.inline.append(self._alt(self.field, data))
        else:
            self.inline.append(escape(data))

    def _alt(self, field: str, original: str) -> str:
        self.seen[field] = self.seen.get(field, 0) + 1
        name = field if self.seen[field] == 1 else f"{field}{self.seen[field]}"
        self.alt_names.append(name)
        pattern = field_pattern(self.specs.get(field, {"name": field}))
        return f"<alt match={quoteattr(pattern)} name={quoteattr(name)}>{escape(original)}</alt>"

    def _flush(self):
        markup = re.sub(r"\s+", " ", "".join(self.inline).replace("\ue002", "")).strip()
        self.inline = []
        block, self.block = self.block, None
        if not markup:
            return
        if block == "h1" and not self.root:
            self.root.append(("title", markup))
        elif block == "p" and self.root and self.root[-1][0] == "title" and markup.startswith("Copyright "):
            self.root.append(("copyright", markup))
        else:  # a heading too: its number ("3. Grant") is text, as the plain text shows it
            self.containers[-1].append(("p", markup))

    def close(self):
        super().close()
        self._flush()

    def lines(self, indent: str) -> list[str]:
        """Return the `<text>`'s children, indented."""
        return _nodes(self.root, indent)


def _nodes(nodes: list, indent: str) -> list[str]:
    out: list[str] = []
    for kind, content in nodes:
        if kind in ("title", "copyright"):
            tag = "titleText" if kind == "title" else "copyrightText"
            out += [f"{indent}<{tag}>", *_wrapped(f"<p>{content}</p>", indent + "  "), f"{indent}</{tag}>"]
        elif kind == "p":
            out += _wrapped(f"<p>{content}</p>", indent)
        else:
            out.append(f"{indent}<list>")
            for bullet, children in content:
                first = children[0][1] if children and children[0][0] == "p" else ""
                rest = children[1:] if first else children
                head = f"<item><bullet>{escape(bullet)}</bullet> {first}".rstrip()
                if not rest:
                    out += _wrapped(head + "</item>", indent + "  ")
                else:
                    out += [*_wrapped(head, indent + "  "), *_nodes(rest, indent + "    "), f"{indent}  </item>"]
            out.append(f"{indent}</list>")
    return out
