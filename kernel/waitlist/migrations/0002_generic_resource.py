# A wait names its resource generically (resource_type + resource_id) instead of a foreign key per resource:
# the kernel knows no resource. item_id / cabinet_id are copied into resource_id before the keys are dropped;
# the check "one resource, and a cabinet wait has a window" becomes "a resource type, and a window (if any) is
# ordered" (which resource needs a window is the resource's rule).

from django.db import migrations, models


def copy_resource_ids(apps, schema_editor):
    Wait = apps.get_model("waitlist", "Wait")
    Wait.objects.filter(item__isnull=False).update(resource_id=models.F("item_id"))
    Wait.objects.filter(cabinet__isnull=False).update(resource_id=models.F("cabinet_id"))


def restore_resource_keys(apps, schema_editor):
    Wait = apps.get_model("waitlist", "Wait")
    Wait.objects.filter(resource_type="equipment").update(item_id=models.F("resource_id"))
    Wait.objects.filter(resource_type="cabinet").update(cabinet_id=models.F("resource_id"))


class Migration(migrations.Migration):

    dependencies = [
        ("waitlist", "0001_waitlist"),
    ]

    operations = [
        migrations.AddField(
            model_name="wait",
            name="resource_id",
            field=models.BigIntegerField(null=True, verbose_name="resource id"),
        ),
        migrations.RemoveConstraint(model_name="wait", name="wait_one_resource"),
        migrations.RemoveIndex(model_name="wait", name="waitlist_wa_item_id_10ea1f_idx"),
        migrations.RemoveIndex(model_name="wait", name="waitlist_wa_cabinet_9a0fb3_idx"),
        # Between the old check and the new ones, so that going back the keys are restored before the old
        # check returns.
        migrations.RunPython(copy_resource_ids, restore_resource_keys),
        migrations.RemoveField(model_name="wait", name="item"),
        migrations.RemoveField(model_name="wait", name="cabinet"),
        migrations.AlterField(
            model_name="wait",
            name="resource_id",
            field=models.BigIntegerField(verbose_name="resource id"),
        ),
        migrations.AlterField(
            model_name="wait",
            name="resource_type",
            field=models.CharField(max_length=16, verbose_name="resource type"),
        ),
        migrations.AddConstraint(
            model_name="wait",
            constraint=models.CheckConstraint(condition=models.Q(("resource_type", ""), _negated=True),
                                              name="wait_has_resource_type"),
        ),
        migrations.AddConstraint(
            model_name="wait",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("ends_at__isnull", True), ("starts_at__isnull", True)),
                    models.Q(("ends_at__isnull", False), ("starts_at__isnull", False),
                             ("starts_at__lt", models.F("ends_at"))),
                    _connector="OR"),
                name="wait_window_ordered"),
        ),
        migrations.AddIndex(
            model_name="wait",
            index=models.Index(fields=["resource_type", "resource_id", "status"], name="wait_resource_status_idx"),
        ),
    ]
