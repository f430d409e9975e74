"""Every page type of the site, with what it takes to reach it, for the page-wide tests."""

from django.contrib.auth import get_user_model

from licenses.drafting import add_comment, editors_group, open_review, start_draft
from licenses.loading import load_documents
from licenses.models import Document
from licenses.publishing import create_assessment, create_release

PUBLIC_PAGES = {
    "home": "/",
    "about": "/about/",
    "definition": "/definition/1.0/",
    "licenses": "/licenses/",
    "definition-licenses": "/definition/1.1/licenses/",
    "drafting-log": "/about/drafting-1.1/",
    "license": "/licenses/owpl/1.0/",
    "wizard": "/licenses/owpl/1.0/wizard/",
    "check": "/check/",
    "compare": "/licenses/owpl/compare/1.0...1.0/",
    "assess": "/definition/1.1/assess/",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "password-reset": "/accounts/password/reset/",
    "not-found": "/licenses/owpl/9.9/",
}


def build_site() -> dict[str, str]:
    """Create what the dynamic pages need; return every page type's path and the users made."""
    if not Document.objects.exists():
        load_documents()
    users = get_user_model().objects
    editor = users.filter(username="page-editor").first() or users.create_user(
        "page-editor", "page-editor@example.org", "x-Strong-pass-42"
    )
    editor.groups.add(editors_group())
    owpl = Document.objects.get(slug="owpl")
    version = owpl.latest_version
    version.document = owpl
    # Every field the latest version declares, with its example where these give no value.
    given = {"licensor": "Acme AI Labs", "model": "Page-7B", "year": "2026"}
    values = {field["name"]: given.get(field["name"], field["example"]) for field in version.fields}
    release = create_release(version=version, values=values, owner=editor)
    statement, _ = create_assessment(data=STATEMENT_ANSWERS | {"release": release.id})
    draft = owpl.versions.drafts().first() or start_draft(document=owpl, user=editor)
    open_review(version=draft, user=editor)
    if not draft.comments.exists():
        add_comment(version=draft, user=editor, body="Is section 3 clear enough?")
    pages = dict(PUBLIC_PAGES)
    pages.update(
        {
            "release": release.get_absolute_url(),
            "statement": statement.get_absolute_url(),
            "draft-public": f"/drafts/{draft.pk}/",
            "my-releases": "/accounts/releases/",
            "editor": "/editor/",
            "editor-draft": f"/editor/drafts/{draft.pk}/",
            "editor-audit": "/editor/audit/",
        }
    )
    return pages


# A statement that misses one material and claims one optional criterion, so that its page shows
# every kind of finding.
STATEMENT_ANSWERS = {
    "model": "Page-7B",
    "publisher": "Acme AI Labs",
    "release_url": "https://huggingface.co/acme/Page-7B",
    "license": "LicenseRef-OWPL-1.1",
    "training_software_license": "Apache-2.0",
    "evidence": {
        key: f"https://huggingface.co/acme/Page-7B/blob/main/{key}.md"
        for key in ("architecture", "training_method", "training_data", "training_software")
    },
    "optional": {"user_software": {"url": "https://github.com/acme/page-chat", "license": "MIT"}},
}

SIGNED_IN_PAGES = {"my-releases", "editor", "editor-draft", "editor-audit"}
