"""The site's URLs with a third kind of versioned document, guides (tests/test_kinds.py)."""

from django.urls import include, path

from config import urls as site_urls
from licenses import kinds
from licenses import urls as license_urls

GUIDE = kinds.DocumentKind("guide", "Guide", "guides/<slug:slug>/", "guide-", slug=None, template=False)

urlpatterns = [
    path("", include((license_urls.urlpatterns + license_urls.versioned_routes(GUIDE), "licenses"))),
    *site_urls.urlpatterns[1:],
]
