from django.conf import settings


def site(request):
    """Expose the site's absolute base URL to templates (for "link to this version" snippets)."""
    return {"SITE_URL": settings.SITE_URL}
