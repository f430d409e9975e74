"""Create the Editors group with the edit_documents permission; make the audit trail append-only
in the database (UPDATE refused) as it is in the models."""

from django.db import migrations

EDITORS = "Editors"
TRIGGER = {
    "sqlite": (
        """CREATE TRIGGER licenses_auditentry_frozen BEFORE UPDATE ON licenses_auditentry
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        "DROP TRIGGER IF EXISTS licenses_auditentry_frozen",
    ),
    "postgresql": (
        """CREATE TRIGGER licenses_auditentry_frozen BEFORE UPDATE ON licenses_auditentry
           FOR EACH ROW EXECUTE FUNCTION licenses_refuse_update('the audit trail is append-only')""",
        "DROP TRIGGER IF EXISTS licenses_auditentry_frozen ON licenses_auditentry",
    ),
}


def forward(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs this one now.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="licenses", model="document")
    permission, _ = Permission.objects.get_or_create(
        codename="edit_documents",
        content_type=content_type,
        defaults={"name": "Can draft, open for comment and publish versions"},
    )
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(permission)
    schema_editor.execute(TRIGGER[schema_editor.connection.vendor][0], params=None)


def backward(apps, schema_editor):
    schema_editor.execute(TRIGGER[schema_editor.connection.vendor][1], params=None)
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("licenses", "0005_editor"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forward, backward)]
