"""Next to the race (bench/race.py): pgbench running the same locked transaction as a booking on the same
database, the ceiling the booking path is compared with; and the invariants checked by SQL at the end of the
locked runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

from common import vendor

TEMPLATE_PHONE = "+79990001122"  # the cancelled row pgbench copies its inserts from

PGBENCH_SCRIPT = """\\set d random(1, 300)
BEGIN;
SELECT id FROM equipment_item WHERE id = {item} FOR UPDATE;
SELECT COALESCE(SUM(units), 0) FROM equipment_equipmentbooking WHERE item_id = {item} AND status IN ('pending', 'approved') AND start_date <= CURRENT_DATE + :d::integer AND end_date >= CURRENT_DATE + :d::integer;
INSERT INTO equipment_equipmentbooking ({columns}) SELECT {values} FROM equipment_equipmentbooking WHERE id = {template};
COMMIT;
"""  # noqa: E501


def pgbench_ceiling(env, item_id: int, seconds: int) -> dict | None:
    """The same locked transaction as a booking, on the same database, 8 clients, prepared statements."""
    if vendor() != "postgresql" or not shutil.which("pgbench"):
        return None
    from django.db import connection
    from django.utils import timezone

    from equipment.models import EquipmentBooking

    now = timezone.now()
    template = EquipmentBooking.objects.create(item_id=item_id, units=1, start_date=now.date(), end_date=now.date(),
                                               status="cancelled", client_name="pgbench", client_phone=TEMPLATE_PHONE,
                                               created_at=now, updated_at=now)
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, "equipment_equipmentbooking")
                   if c.name != "id"]
    day = "CURRENT_DATE + :d::integer"
    values = ", ".join("'approved'" if c == "status" else day if c in ("start_date", "end_date")
                       else "NULL" if c in ("external_booking_id", "partner_id", "idempotency_key") else c
                       for c in columns)
    script = PGBENCH_SCRIPT.format(item=item_id, columns=", ".join(columns), values=values, template=template.pk)
    folder = tempfile.mkdtemp(prefix="bench-pgbench-")
    path = os.path.join(folder, "booking.sql")
    with open(path, "w") as handle:
        handle.write(script)
    settings = connection.settings_dict
    pg_env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    argv = ["pgbench", "-n", "-M", "prepared", "-c", "8", "-j", "2", "-T", str(seconds), "-f", path,
            "-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432), "-U", settings["USER"],
            settings["NAME"]]
    out = subprocess.run(argv, env=pg_env, capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"tps = ([\d.]+)", out.stdout)
    if not match:
        return {"error": (out.stdout + out.stderr)[-500:]}
    latency = re.search(r"latency average = ([\d.]+) ms", out.stdout)
    return {"tps": float(match.group(1)), "latency_ms": float(latency.group(1)) if latency else None}


def invariants() -> dict:
    """By SQL at the end of the locked runs: units held <= quantity, and no overlapping cabinet bookings."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(*) FROM (
              SELECT b.item_id, d::date, SUM(b.units) AS used, MIN(i.quantity) AS quantity
              FROM equipment_equipmentbooking b JOIN equipment_item i ON i.id = b.item_id,
                   generate_series(b.start_date, b.end_date, interval '1 day') d
              WHERE b.status IN ('pending', 'approved') AND b.starts_at IS NULL GROUP BY b.item_id, d::date) t
            WHERE used > quantity""")
        overbooked = cursor.fetchone()[0]
        cursor.execute("""
            SELECT count(*) FROM cabinets_cabinetbooking a JOIN cabinets_cabinetbooking b
              ON a.cabinet_id = b.cabinet_id AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
            WHERE a.status IN ('pending', 'approved') AND b.status IN ('pending', 'approved')""")
        overlaps = cursor.fetchone()[0]
    return {"overbooked_item_days": overbooked, "overlapping_cabinet_pairs": overlaps}
