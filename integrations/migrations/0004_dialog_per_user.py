from django.db import migrations, models


def users_are_their_chats(apps, schema_editor):
    # Every dialog so far was a private chat's, whose id is its user's.
    apps.get_model("integrations", "Dialog").objects.update(user_id=models.F("chat_id"))


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0003_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="dialog",
            name="user_id",
            field=models.BigIntegerField(default=0, verbose_name="user id"),
            preserve_default=False,
        ),
        migrations.RunPython(users_are_their_chats, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="dialog", name="dialog_one_per_chat"),
        migrations.AddConstraint(
            model_name="dialog",
            constraint=models.UniqueConstraint(fields=("bot", "chat_id", "user_id"), name="dialog_one_per_chat_user"),
        ),
    ]
