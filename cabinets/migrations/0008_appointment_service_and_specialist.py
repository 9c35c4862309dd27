"""An appointment is a cabinet booking that names its service and specialist. On PostgreSQL a second
exclusion constraint, like the cabinets' own (0002), is the database's last word that one specialist never
holds two overlapping live appointments, whichever cabinets they are in."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE cabinets_cabinetbooking
    ADD CONSTRAINT cabinetbooking_specialist_no_overlap
    EXCLUDE USING gist (specialist_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (specialist_id IS NOT NULL AND status IN ('pending', 'approved'));
"""
DROP = "ALTER TABLE cabinets_cabinetbooking DROP CONSTRAINT IF EXISTS cabinetbooking_specialist_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('cabinets', '0007_cabinet_series'),
        ('specialists', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='cabinetbooking',
            name='service',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='specialists.service', verbose_name='service'),
        ),
        migrations.AddField(
            model_name='cabinetbooking',
            name='specialist',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='specialists.specialist', verbose_name='specialist'),
        ),
        migrations.AddConstraint(
            model_name='cabinetbooking',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('service__isnull', True), ('specialist__isnull', True)), models.Q(('service__isnull', False), ('specialist__isnull', False)), _connector='OR'), name='cabinetbooking_service_with_specialist', violation_error_message='An appointment names both its service and its specialist.'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
