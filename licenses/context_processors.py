from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def site(request):
    """Expose the site's absolute base URL (for "link to this version" snippets) and the header's
    log-in link, which brings the reader back to this page (account pages excepted)."""
    login_url = reverse("account_login")
    if not request.path.startswith("/accounts/"):
        login_url += "?" + urlencode({"next": request.path})
    return {"SITE_URL": settings.SITE_URL, "login_url": login_url}
