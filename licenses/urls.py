"""The public URL contract (see the product brief): these paths are permanent."""

from django.urls import path, register_converter

from . import converters, editor, views

register_converter(converters.VersionNumberConverter, "version")
register_converter(converters.FormatConverter, "fmt")
register_converter(converters.ReleaseFormatConverter, "release_fmt")
register_converter(converters.ReleaseIdConverter, "release_id")

app_name = "licenses"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("definition/", views.document_latest, name="definition-latest"),
    path("definition/<version:number>/", views.version_detail, name="definition-version"),
    path("definition/<version:number>.<fmt:fmt>", views.version_file, name="definition-version-file"),
    path("definition/<version:number>/comments/", views.version_comments, name="definition-version-comments"),
    path("definition/compare/", views.compare_pick, name="definition-compare-pick"),
    path("definition/compare/<version:old>...<version:new>/", views.compare, name="definition-compare"),
    path(
        "definition/compare/<version:old>...<version:new>.diff",
        views.compare,
        {"diff": True},
        name="definition-compare-diff",
    ),
    path("licenses/", views.license_list, name="license-list"),
    path("licenses/<slug:slug>/compare/", views.compare_pick, name="compare-pick"),
    path("licenses/<slug:slug>/compare/<version:old>...<version:new>/", views.compare, name="compare"),
    path(
        "licenses/<slug:slug>/compare/<version:old>...<version:new>.diff",
        views.compare,
        {"diff": True},
        name="compare-diff",
    ),
    path("licenses/<slug:slug>/", views.document_latest, name="document-latest"),
    path("licenses/<slug:slug>/<version:number>/", views.version_detail, name="version"),
    path("licenses/<slug:slug>/<version:number>.<fmt:fmt>", views.version_file, name="version-file"),
    path("licenses/<slug:slug>/<version:number>/badge.svg", views.badge, name="badge"),
    path("licenses/<slug:slug>/<version:number>/comments/", views.version_comments, name="version-comments"),
    path("licenses/<slug:slug>/<version:number>/wizard/", views.wizard, name="wizard"),
    path("wizard/", views.wizard_latest, name="wizard-latest"),
    path("r/<release_id:release_id>/", views.release_detail, name="release"),
    path("r/<release_id:release_id>.<release_fmt:fmt>", views.release_file, name="release-file"),
    path("accounts/releases/", views.my_releases, name="my-releases"),
    path("drafts/<int:pk>/", editor.public_draft, name="draft"),
    path("drafts/<int:pk>.<fmt:fmt>", editor.public_draft_file, name="draft-file"),
    path("drafts/<int:pk>/comments/", editor.comment, name="draft-comment"),
]
