"""What must hold in the database after any fault, checked by SQL (PostgreSQL) on any DB-API cursor: the
test's own psycopg connection to a private cluster, or Django's `connection.cursor()`.

- units held ≤ quantity for every item and day, counting whole-day bookings for every day of their range
  and the peak of equipment attached to cabinet bookings (windows) within the day;
- no two holding bookings of one cabinet overlap (half-open intervals)."""

from __future__ import annotations

HOLDING = "('pending', 'approved')"

OVERBOOKED_ITEM_DAYS = f"""
WITH bookings AS (
    SELECT item_id, units, start_date, end_date, starts_at, ends_at
    FROM equipment_equipmentbooking WHERE status IN {HOLDING}
), whole_days AS (
    SELECT item_id, day::date AS day, SUM(units) AS units
    FROM bookings, generate_series(start_date, end_date, interval '1 day') AS day
    WHERE starts_at IS NULL GROUP BY item_id, day::date
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
    SELECT COALESCE(d.item_id, w.item_id) AS item_id, COALESCE(d.day, w.day) AS day,
           COALESCE(d.units, 0) + COALESCE(w.units, 0) AS units
    FROM whole_days d FULL OUTER JOIN window_peaks w ON w.item_id = d.item_id AND w.day = d.day
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
