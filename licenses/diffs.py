"""Differences between two versions' texts: word by word for people, unified for tools."""

import difflib
import html
import re

_TOKEN_RE = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return the texts' difference as (op, text) pieces, op being 'equal', 'delete' or 'insert'.

    Lines are matched first and words only inside the lines that changed: matching every word and
    space of two whole texts at once took half a second for a 7 KB license (the many identical
    spaces make the matcher quadratic), on every view of a compare page.
    """
    pieces: list[tuple[str, str]] = []
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "replace":
            pieces += _token_diff("".join(a[i1:i2]), "".join(b[j1:j2]))
        elif op == "insert":
            pieces.append(("insert", "".join(b[j1:j2])))
        else:  # equal or delete
            pieces.append((op, "".join(a[i1:i2])))
    merged: list[tuple[str, str]] = []
    for op, text in pieces:
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        elif text:
            merged.append((op, text))
    return merged


def _token_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word by word (spaces are tokens too), for a few changed lines."""
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


def word_diff_html(pieces: list[tuple[str, str]]) -> str:
    """Return word_diff's pieces as escaped HTML with <del> and <ins> around changes."""
    tags = {"delete": "del", "insert": "ins"}
    out = []
    for op, text in pieces:
        escaped = html.escape(text, quote=False)
        out.append(escaped if op == "equal" else f"<{tags[op]}>{escaped}</{tags[op]}>")
    return "".join(out)


def unified_diff(old: str, new: str, *, old_name: str, new_name: str) -> str:
    """Return a unified diff of two texts, line by line."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=old_name, tofile=new_name
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
