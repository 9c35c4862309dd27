"""On PostgreSQL, a second database guard: no two holding bookings of one cabinet overlap in time.

The occupancy table's unique index guards both databases; this exclusion constraint also catches overlaps
between arbitrary, unaligned intervals. It is PostgreSQL-only SQL, so it is added here, gated on the
vendor, and kept out of Meta.constraints (model validation would try to run it on SQLite)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE cabinets_cabinetbooking
    ADD CONSTRAINT cabinetbooking_no_overlap
    EXCLUDE USING gist (cabinet_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status IN ('pending', 'approved'));
"""
DROP = "ALTER TABLE cabinets_cabinetbooking DROP CONSTRAINT IF EXISTS cabinetbooking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cabinets", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
