import pytest

from licenses.loading import load_documents
from licenses.models import Document


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load and publish the canonical texts once for the whole run (each test rolls back on top)."""
    with django_db_blocker.unblock():
        load_documents()


@pytest.fixture
def canonical(db):
    """The canonical documents, loaded again if a transactional test flushed them."""
    if not Document.objects.exists():
        load_documents()
    return {document.slug: document for document in Document.objects.all()}


@pytest.fixture
def owpl(canonical):
    return canonical["owpl"].versions.get(number="1.0")


@pytest.fixture
def definition(canonical):
    return canonical["definition"].versions.get(number="1.0")
