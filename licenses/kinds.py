"""The kinds of versioned document the site publishes, as data.

Each kind says where its documents live in the URL space and whether they are templates with fields
to fill in. The versioned routes (page, files, comments, compare, and the wizard and badge of
templates), the fast path's routes and `Document.route()` are all generated from this list, so a new
kind of versioned document is one entry here plus its templates.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class DocumentKind:
    name: str  # stored in Document.kind
    label: str
    prefix: str  # the URL path its versions live under
    route_prefix: str  # route names are <route_prefix><route>: "definition-version", "version"
    # The one document of this kind when its URLs name no slug (/definition/1.0/); None when they do.
    slug: str | None
    template: bool  # a template with fill-in fields: it has a wizard, a badge and releases
    # A definition that licenses are judged against: its versions may publish which licenses meet
    # them (conformance.py), at <number>/licenses/ and <number>/licenses.json.
    judges_licenses: bool = False

    def route_name(self, route: str) -> str:
        return f"licenses:{self.route_prefix}{route}"

    def reverse(self, route: str, *, slug: str, **kwargs) -> str:
        """Reverse one of this kind's routes for the document `slug`."""
        if self.slug is None:
            kwargs["slug"] = slug
        return reverse(self.route_name(route), kwargs=kwargs)


KINDS: dict[str, DocumentKind] = {
    kind.name: kind
    for kind in (
        DocumentKind(
            "definition",
            "Definition",
            "definition/",
            "definition-",
            slug="definition",
            template=False,
            judges_licenses=True,
        ),
        DocumentKind("license", "License", "licenses/<slug:slug>/", "", slug=None, template=True),
    )
}
CHOICES = [(kind.name, kind.label) for kind in KINDS.values()]

# The routes every kind has, by name: (path after the prefix, view name in licenses.views, extra kwargs).
VERSIONED_ROUTES = (
    ("latest", "", "document_latest", {}),
    ("compare-pick", "compare/", "compare_pick", {}),
    ("compare", "compare/<version:old>...<version:new>/", "compare", {}),
    ("compare-diff", "compare/<version:old>...<version:new>.diff", "compare", {"diff": True}),
    ("version", "<version:number>/", "version_detail", {}),
    ("version-file", "<version:number>.<version_fmt:fmt>", "version_file", {}),
    ("version-comments", "<version:number>/comments/", "version_comments", {}),
    ("versions-feed", "versions.atom", "versions_feed", {}),
)
TEMPLATE_ROUTES = (
    ("badge", "<version:number>/badge.svg", "badge", {}),
    ("wizard", "<version:number>/wizard/", "wizard", {}),
)
CONFORMANCE_ROUTES = (
    ("licenses", "<version:number>/licenses/", "version_licenses", {}),
    ("licenses-json", "<version:number>/licenses.json", "version_licenses", {"as_json": True}),
)
# Routes whose answer is the same for everyone (see middleware.FastPathMiddleware).
FAST_VERSIONED_ROUTES = ("version", "version-file", "badge", "compare", "compare-diff")


def get(name: str) -> DocumentKind:
    return KINDS[name]


def routes(kind: DocumentKind) -> tuple[tuple[str, str, str, dict], ...]:
    """Return the routes of one kind: (name, path after its prefix, view name, extra kwargs)."""
    return (
        VERSIONED_ROUTES
        + (TEMPLATE_ROUTES if kind.template else ())
        + (CONFORMANCE_ROUTES if kind.judges_licenses else ())
    )


def fast_route_names() -> set[str]:
    return {
        kind.route_name(name) for kind in KINDS.values() for name, *_ in routes(kind) if name in FAST_VERSIONED_ROUTES
    }
