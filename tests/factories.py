"""Small helpers that make documents and versions for tests."""

from licenses.models import Document, Version

TEMPLATE = """# Test License 1.0

Copyright {{year}} {{licensor}}. The model {{model}} is licensed under these terms.

## 1. Grant

1. You may use **{{model}}** for any purpose.
2. You may share it.

## 2. Condition

Keep this notice.
"""

FIELDS = [
    {"name": "licensor", "label": "Licensor", "example": "Acme", "required": True, "max_length": 200, "kind": "text"},
    {"name": "model", "label": "Model", "example": "M-1", "required": True, "max_length": 200, "kind": "text"},
    {"name": "year", "label": "Year", "example": "2026", "required": True, "max_length": 4, "kind": "year"},
]


def make_document(slug: str = "testl", kind: str = Document.Kind.LICENSE, **kwargs) -> Document:
    defaults = {"title": f"Test {slug}", "short_name": slug.upper()}
    defaults.update(kwargs)
    return Document.objects.create(slug=slug, kind=kind, **defaults)


def make_version(document: Document, number: str = "1.0", **kwargs) -> Version:
    defaults = {"markdown": TEMPLATE, "fields": FIELDS, "changelog": "First version.", "summary": "Short."}
    defaults.update(kwargs)
    return Version.objects.create(document=document, number=number, **defaults)
