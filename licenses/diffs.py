"""Differences between two versions' texts: word by word for people, unified for tools."""

import difflib
import html
import re

_TOKEN_RE = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return the texts' difference as (op, text) pieces, op being 'equal', 'delete' or 'insert'."""
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(("insert", "".join(b[j1:j2])))
    return pieces


def word_diff_html(old: str, new: str) -> str:
    """Return the word-level difference as escaped HTML with <del> and <ins> around changes."""
    tags = {"delete": "del", "insert": "ins"}
    out = []
    for op, text in word_diff(old, new):
        escaped = html.escape(text, quote=False)
        out.append(escaped if op == "equal" else f"<{tags[op]}>{escaped}</{tags[op]}>")
    return "".join(out)


def unified_diff(old: str, new: str, *, old_name: str, new_name: str) -> str:
    """Return a unified diff of two texts, line by line."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=old_name, tofile=new_name
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
