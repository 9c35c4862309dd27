# IdempotencyKey leaves accounts for the kernel. Only the state moves: the table keeps its name
# (accounts_idempotencykey, set with db_table) and its rows.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("key", models.CharField(max_length=128)),
                        ("request_hash", models.CharField(max_length=64)),
                        ("resource_type", models.CharField(max_length=20)),
                        ("booking_id", models.BigIntegerField(blank=True, null=True)),
                        ("response_status", models.PositiveSmallIntegerField(default=201)),
                        ("response_body", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(db_index=True)),
                        ("partner", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                      related_name="idempotency_keys", to="accounts.partner")),
                    ],
                    options={
                        "verbose_name": "idempotency key",
                        "verbose_name_plural": "idempotency keys",
                        "db_table": "accounts_idempotencykey",
                        "constraints": [models.UniqueConstraint(fields=("partner", "key"),
                                                                name="idempotency_key_unique")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
