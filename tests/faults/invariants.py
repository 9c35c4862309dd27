"""What must hold in the database after any fault, checked by SQL (PostgreSQL) on any DB-API cursor: the
test's own psycopg connection to a private cluster, or Django's `connection.cursor()`.

- units in use ≤ quantity for every item and day, where in use counts, as the booking services do:
  whole-day bookings on every day of their range and on the item's turnaround days after it (a unit rests
  `turnaround_days` after a booking ends), units out of service in maintenance windows, and the peak of
  equipment attached to cabinet bookings (windows) within the day;
- no two holding bookings of one cabinet overlap (half-open intervals)."""

from __future__ import annotations

HOLDING = "('pending', 'approved')"

OVERBOOKED_ITEM_DAYS = f"""
WITH bookings AS (
    SELECT b.item_id, b.units, b.start_date, b.end_date, b.starts_at, b.ends_at, i.turnaround_days
    FROM equipment_equipmentbooking b JOIN equipment_item i ON i.id = b.item_id WHERE b.status IN {HOLDING}
), whole_days AS (
    -- a whole-day booking holds its units from start_date to end_date plus the item's turnaround days
    SELECT item_id, day::date AS day, SUM(units) AS units
    FROM bookings, generate_series(start_date, end_date + turnaround_days, interval '1 day') AS day
    WHERE starts_at IS NULL GROUP BY item_id, day::date
), maintenance AS (
    SELECT item_id, day::date AS day, SUM(units) AS units
    FROM equipment_maintenancewindow, generate_series(start_date, end_date, interval '1 day') AS day
    GROUP BY item_id, day::date
), windows AS (
    SELECT item_id, units, starts_at, ends_at FROM bookings WHERE starts_at IS NOT NULL
), window_peaks AS (
    -- the peak of overlapping windows is reached at the start of one of them
    SELECT item_id, day, MAX(units) AS units FROM (
        SELECT p.item_id, (p.starts_at AT TIME ZONE %(zone)s)::date AS day, SUM(w.units) AS units
        FROM windows p JOIN windows w
          ON w.item_id = p.item_id AND w.starts_at <= p.starts_at AND p.starts_at < w.ends_at
        GROUP BY p.item_id, p.starts_at
    ) AS at_start GROUP BY item_id, day
), usage AS (
    SELECT item_id, day, SUM(units) AS units FROM (
        SELECT item_id, day, units FROM whole_days
        UNION ALL SELECT item_id, day, units FROM maintenance
        UNION ALL SELECT item_id, day, units FROM window_peaks
    ) AS parts GROUP BY item_id, day
)
SELECT usage.item_id, usage.day, usage.units, item.quantity
FROM usage JOIN equipment_item AS item ON item.id = usage.item_id
WHERE usage.units > item.quantity
ORDER BY usage.item_id, usage.day
"""

CABINET_OVERLAPS = f"""
SELECT a.cabinet_id, a.id, b.id
FROM cabinets_cabinetbooking a JOIN cabinets_cabinetbooking b
  ON a.cabinet_id = b.cabinet_id AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
WHERE a.status IN {HOLDING} AND b.status IN {HOLDING}
ORDER BY a.cabinet_id, a.id, b.id
"""


def violations(cursor, *, zone: str = "Europe/Moscow") -> dict[str, list[tuple]]:
    cursor.execute(OVERBOOKED_ITEM_DAYS, {"zone": zone})
    overbooked = [tuple(row) for row in cursor.fetchall()]
    cursor.execute(CABINET_OVERLAPS)
    overlaps = [tuple(row) for row in cursor.fetchall()]
    return {"overbooked item days": overbooked, "cabinet overlaps": overlaps}


def assert_invariants(cursor, *, zone: str = "Europe/Moscow") -> None:
    found = violations(cursor, zone=zone)
    assert found == {"overbooked item days": [], "cabinet overlaps": []}, found
