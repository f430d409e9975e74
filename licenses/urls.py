"""The public URL contract (see the product brief): these paths are permanent.

The versioned routes of each kind of document (the definition's, each license's) are generated from
kinds.py; their names are the kind's route prefix and the route ("definition-version", "version").
"""

from django.urls import path, register_converter
from django.urls.converters import get_converters

from . import assessment_views, converters, kinds, review, views

register_converter(converters.VersionNumberConverter, "version")
register_converter(converters.VersionFormatConverter, "version_fmt")
if "draft_fmt" not in get_converters():  # editor_urls registers it too, whichever comes first
    register_converter(converters.DraftFormatConverter, "draft_fmt")
register_converter(converters.ReleaseFormatConverter, "release_fmt")
register_converter(converters.ReleaseIdConverter, "release_id")
register_converter(converters.KitFileConverter, "kit_file")
register_converter(converters.ReleaseIdConverter, "assessment_id")
register_converter(converters.AssessmentFormatConverter, "assessment_fmt")

app_name = "licenses"


def assessment_routes(kind: kinds.DocumentKind) -> list:
    """The questionnaire of a definition that judges licenses: /definition/<number>/assess/."""
    if not kind.judges_licenses:
        return []
    extra = {"kind": kind.name, **({"slug": kind.slug} if kind.slug else {})}
    route = kind.prefix + "<version:number>/assess/"
    return [path(route, assessment_views.questionnaire, extra, name=kind.route_prefix + "assess")]


def versioned_routes(kind: kinds.DocumentKind) -> list:
    """Return the routes of one kind of versioned document, each told its kind (and its one slug)."""
    extra = {"kind": kind.name, **({"slug": kind.slug} if kind.slug else {})}
    return [
        path(kind.prefix + route, getattr(views, view), {**extra, **more}, name=kind.route_prefix + name)
        for name, route, view, more in kinds.routes(kind)
    ]


urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("about/<str:page>/", views.about_page, name="about-page"),
    path("licenses/", views.license_list, name="license-list"),
    path("versions.atom", views.versions_feed, name="all-versions-feed"),
    path("drafts.atom", views.drafts_feed, name="drafts-feed"),
    *(route for kind in kinds.KINDS.values() for route in versioned_routes(kind)),
    *(route for kind in kinds.KINDS.values() for route in assessment_routes(kind)),
    path("assess/", assessment_views.assess_latest, name="assess-latest"),
    path("assessments.json", assessment_views.create_json, name="assessments-create"),
    path("assessments/<assessment_id:assessment_id>/", assessment_views.statement, name="assessment"),
    path(
        "assessments/<assessment_id:assessment_id>.<assessment_fmt:fmt>",
        assessment_views.statement_file,
        name="assessment-file",
    ),
    path("wizard/", views.wizard_latest, name="wizard-latest"),
    path("check/", views.check_page, name="check"),
    path("check.json", views.check_json, name="check-json"),
    path("r/<release_id:release_id>/", views.release_detail, name="release"),
    path("r/<release_id:release_id>.<release_fmt:fmt>", views.release_file, name="release-file"),
    path("r/<release_id:release_id>/<kit_file:name>", views.release_kit_file, name="release-kit-file"),
    path("r/<release_id:release_id>/reissue", views.release_reissue, name="release-reissue"),
    path("accounts/releases/", views.my_releases, name="my-releases"),
    path("drafts/<int:pk>/", review.public_draft, name="draft"),
    path("drafts/<int:pk>.<draft_fmt:fmt>", review.public_draft_file, name="draft-file"),
    path("drafts/<int:pk>/comments/", review.comment, name="draft-comment"),
]
