# IdempotencyKey leaves accounts for the kernel (kernel/0001 adds it to the kernel's state, on the same table).

from django.db import migrations


def move_content_type(apps, schema_editor):
    """Keep the model's content type (and so the permissions granted on it) under its new app label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="kernel", model="idempotencykey").exists():
        ContentType.objects.filter(app_label="accounts", model="idempotencykey").update(app_label="kernel")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="accounts", model="idempotencykey").exists():
        ContentType.objects.filter(app_label="kernel", model="idempotencykey").update(app_label="accounts")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("kernel", "0001_idempotencykey_from_accounts"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
