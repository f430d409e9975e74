"""The pages under /about/: the FAQ and the drafting logs, each a Markdown file of licenses/content/.

A page here is part of the site, not a published version: it may be corrected at any time (a
version's own text and changelog never are).
"""

from pathlib import Path

from . import rendering

CONTENT_DIR = Path(__file__).resolve().parent / "content"
FAQ = ("faq.md", "About Open Weights: rationale and questions")
# /about/<name>/: the file and the page's title.
PAGES = {"drafting-1.1": ("drafting-1.1.md", "Drafting log for version 1.1 · Open Weights")}


def page_html(filename: str) -> str:
    return rendering.to_html((CONTENT_DIR / filename).read_text(encoding="utf-8"))
