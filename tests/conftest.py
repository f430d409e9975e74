import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.test import override_settings

from licenses import views
from licenses.loading import load_documents
from licenses.models import Document


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """Hash passwords with MD5 in the suite: PBKDF2's deliberate slowness is against attackers, and
    it took 42 % of the suite's time. Production keeps Django's default hashers."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load and publish the canonical texts once for the whole run (each test rolls back on top)."""
    with django_db_blocker.unblock():
        load_documents()


@pytest.fixture
def canonical(db):
    """The canonical documents (and the site's name), restored if a transactional test flushed them."""
    if not Document.objects.exists():
        load_documents()
    Site.objects.update_or_create(pk=settings.SITE_ID, defaults={"domain": "127.0.0.1:8000", "name": "Open Weights"})
    return {document.slug: document for document in Document.objects.all()}


@pytest.fixture
def owpl(canonical):
    return canonical["owpl"].versions.get(number="1.0")


@pytest.fixture
def definition(canonical):
    return canonical["definition"].versions.get(number="1.0")


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test builds its own database, so no rendered page or file may leak between tests."""
    cache.clear()
    views.forget_everything()
    yield
    cache.clear()
    views.forget_everything()
