from django.contrib import admin
from django.urls import include, path

from licenses import accounts
from licenses.api import api

urlpatterns = [
    path("", include("licenses.urls")),
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("editor/", include("licenses.editor_urls")),
    path("admin/login/", accounts.admin_login),  # the admin's own log-in, rate-limited
    path("admin/", admin.site.urls),
]

handler404 = "licenses.views.not_found"
handler500 = "licenses.views.server_error"
