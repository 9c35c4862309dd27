# IdempotencyKey leaves accounts for the kernel (kernel/0001 adds it to the kernel's state, on the same table).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("kernel", "0001_idempotencykey_from_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        ),
    ]
