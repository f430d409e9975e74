"""The editor's URLs, under /editor/ (editors only)."""

from django.urls import path, register_converter
from django.urls.converters import get_converters

from . import converters, editor

if "draft_fmt" not in get_converters():  # licenses.urls registers it too, whichever comes first
    register_converter(converters.DraftFormatConverter, "draft_fmt")

app_name = "editor"

urlpatterns = [
    path("", editor.index, name="index"),
    path("audit/", editor.audit, name="audit"),
    path("markdownify/", editor.markdownify, name="markdownify"),
    path("<slug:slug>/drafts/new/", editor.new_draft, name="new-draft"),
    path("drafts/<int:pk>/", editor.draft, name="draft"),
    path("drafts/<int:pk>/preview/", editor.preview, name="preview"),
    path("drafts/<int:pk>.<draft_fmt:fmt>", editor.preview_file, name="preview-file"),
    path("drafts/<int:pk>/review/", editor.review, name="review"),
    path("drafts/<int:pk>/publish/", editor.publish, name="publish"),
    path("comments/<int:pk>/resolve/", editor.resolve, name="resolve"),
]
