"""Atom feeds of published versions (all documents, or one) and of drafts open for public comment.

Built on Django's syndication framework. Links are absolute from SITE_URL, never from the request's
Host, so the feeds are the same bytes for everyone and can be exported with the published files.
"""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed

from . import outputs
from .models import Document, Version


class VersionsFeed(Feed):
    """Every published version of every document, or of the document a route names; newest first."""

    feed_type = Atom1Feed

    def get_object(self, request, kind: str | None = None, slug: str | None = None) -> Document | None:
        if slug is None:
            return None
        document = Document.objects.filter(slug=slug, kind=kind).first()
        if document is None:
            raise Http404(f"There is no document called “{slug[:80]}”.")
        return document

    def title(self, document: Document | None) -> str:
        return f"{document.title}: published versions" if document else "Open Weights: published versions"

    def subtitle(self, document: Document | None) -> str:
        return "Each new version of the texts of Open Weights, with what changed. The texts are CC0 1.0."

    def link(self, document: Document | None) -> str:
        return outputs.absolute(document.get_absolute_url() if document else "/")

    def feed_url(self, document: Document | None) -> str:
        return outputs.absolute(document.route("versions-feed") if document else "/versions.atom")

    def feed_guid(self, document: Document | None) -> str:
        return self.feed_url(document)

    def items(self, document: Document | None):
        versions = Version.objects.published().select_related("document")
        if document is not None:
            versions = versions.filter(document=document)
        return versions.order_by("-published_at", "-major", "-minor", "document__slug")

    def item_title(self, version: Version) -> str:
        return version.title

    def item_link(self, version: Version) -> str:
        return outputs.absolute(version.get_absolute_url())

    def item_guid(self, version: Version) -> str:
        return self.item_link(version)

    def item_description(self, version: Version) -> str:
        return version.changelog or "No changelog was given."

    def item_pubdate(self, version: Version):
        return version.published_at

    def item_updateddate(self, version: Version):
        return version.published_at

    def item_categories(self, version: Version) -> list[str]:
        return [version.document.short_name]

    def item_enclosures(self, version: Version):
        return []

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Content-Type"] = "application/atom+xml; charset=utf-8"
        response["Cache-Control"] = "public, max-age=300"
        response["Access-Control-Allow-Origin"] = "*"
        return response


class DraftsFeed(VersionsFeed):
    """Drafts open for public comment: where readers can comment on the next versions."""

    def get_object(self, request, *args, **kwargs) -> None:
        return None

    def title(self, document=None) -> str:
        return "Open Weights: drafts open for public comment"

    def subtitle(self, document=None) -> str:
        return "Drafts of the next versions of the Open Weights texts that anyone signed in may comment on."

    def feed_url(self, document=None) -> str:
        return outputs.absolute("/drafts.atom")

    def items(self, document=None):
        return Version.objects.in_review().select_related("document").order_by("-updated_at", "-pk")

    def item_link(self, version: Version) -> str:
        return outputs.absolute(version.draft_url())

    def item_description(self, version: Version) -> str:
        return version.changelog or "Open for comment; no changelog yet."

    def item_pubdate(self, version: Version):
        return version.created_at

    def item_updateddate(self, version: Version):
        return version.updated_at
