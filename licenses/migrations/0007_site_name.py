"""Name the site "Open Weights" (allauth puts the site's name and domain in its e-mails)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def forward(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).netloc
    Site.objects.update_or_create(pk=settings.SITE_ID, defaults={"domain": domain, "name": "Open Weights"})


class Migration(migrations.Migration):
    dependencies = [("licenses", "0006_editors_group_and_audit_freeze"), ("sites", "0002_alter_domain_unique")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
