"""The catalogue import: `load_catalog` and `seed_demo`."""

from __future__ import annotations

import textwrap
from datetime import date, time
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from cabinets.models import Cabinet, Holiday, WeeklySchedule
from equipment.models import Item
from integrations.catalog import read_cabinets_file, read_items_file

pytestmark = [pytest.mark.django_db]

SEED_ITEMS = """
    items:
      - id: 1
        name: "Infini, УФА"
        description: "Микроигольчатый RF-лифтинг"
        total_quantity: 1
        sort_order: 1
      - id: 2
        name: Accent
        total_quantity: 3
        sort_order: 2
      - id: 3
        name: 'Аппарат "Ёлочка" (старый)'
        total_quantity: 1
        is_active: false
      - id: 4
        name: "Лазер «Fotona»"
        total_quantity: 1
        permanent_reserved: true
        category: "Лазеры"
      - id: 5
        name: "Ultraformer III (SMAS-лифтинг)"
        total_quantity: 2
        cabinet_id: 2
"""

SEED_CABINETS = """
    defaults:
      schedule:
        start_time: "10:00"
        end_time: "22:00"
        slot_duration_minutes: 30
        lunch_start: "13:00"
        lunch_end: "14:00"
      days_off: [7]
    cabinets:
      - id: 1
        name: "Кабинет №1"
        number: "101"
        floor: 1
        capacity: 2
        address: "ул. Ленина, 1"
      - id: 2
        name: "Кабинет №2"
        number: 102
        capacity: 0
        is_active: true
        default_schedule:
          start_time: "09:00"
          end_time: "21:00"
          slot_duration_minutes: 30
          lunch_start: null
          lunch_end: null
    holidays:
      - date: "2026-01-01"
        name: "Новый год"
      - date: 2026-05-09
        name: "День Победы"
"""


@pytest.fixture
def write(tmp_path):
    """Write a YAML fixture (dedented) and return its path."""

    def write(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return str(path)

    return write


def load(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("load_catalog", *args, stdout=out, stderr=err)
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        load(*args)
    assert caught.value.returncode == 1
    return str(caught.value)


def nothing_written() -> bool:
    return not (Item.objects.exists() or Cabinet.objects.exists() or WeeklySchedule.objects.exists()
                or Holiday.objects.exists())


def week(cabinet_name: str) -> list[WeeklySchedule]:
    return list(WeeklySchedule.objects.filter(cabinet__name=cabinet_name).order_by("weekday"))


# --- The seed's shapes ---------------------------------------------------------------------------------


def test_it_loads_the_seeds_items_with_cyrillic_names_and_punctuation(write):
    out = load("--items", write("items.yaml", SEED_ITEMS), "--cabinets", write("cabinets.yaml", SEED_CABINETS))

    infini = Item.objects.get(name="Infini, УФА")
    assert (infini.quantity, infini.description, infini.sort_order) == (1, "Микроигольчатый RF-лифтинг", 1)
    assert Item.objects.get(name="Accent").quantity == 3
    assert Item.objects.get(name='Аппарат "Ёлочка" (старый)').is_active is False
    laser = Item.objects.get(name="Лазер «Fotona»")
    assert laser.permanently_reserved is True
    assert laser.category == "Лазеры"
    assert Item.objects.get(name="Ultraformer III (SMAS-лифтинг)").cabinet.name == "Кабинет №2"
    assert "Items: 5 created, 0 updated, 0 unchanged" in out
    assert "created: Infini, УФА" in out


def test_it_loads_the_seeds_cabinets_with_lunch_days_off_and_holidays(write):
    out = load("--cabinets", write("cabinets.yaml", SEED_CABINETS))

    first = Cabinet.objects.get(name="Кабинет №1")
    assert (first.number, first.floor, first.capacity, first.address) == ("101", 1, 2, "ул. Ленина, 1")
    monday, *_, sunday = week("Кабинет №1")
    assert (monday.opens, monday.closes, monday.slot_minutes) == (time(10), time(22), 30)
    assert (monday.lunch_start, monday.lunch_end) == (time(13), time(14))
    assert sunday.is_day_off is True
    assert [row.is_day_off for row in week("Кабинет №1")] == [False] * 6 + [True]

    second = Cabinet.objects.get(name="Кабинет №2")
    assert second.number == "102"
    assert second.capacity == 1  # 0 means 1
    tuesday = week("Кабинет №2")[1]
    assert (tuesday.opens, tuesday.closes, tuesday.lunch_start) == (time(9), time(21), None)

    assert dict(Holiday.objects.values_list("date", "name")) == {
        date(2026, 1, 1): "Новый год", date(2026, 5, 9): "День Победы",
    }
    assert "Cabinets: 2 created" in out
    assert "Holidays: 2 created" in out


def test_items_without_is_active_become_active(write):
    load("--items", write("items.yaml", """
        items:
          - {id: 1, name: "Accent", total_quantity: 3}
    """))

    assert Item.objects.get(name="Accent").is_active is True


def test_a_cabinet_without_a_schedule_anywhere_opens_ten_to_ten_in_half_hours(write):
    load("--cabinets", write("cabinets.yaml", """
        cabinets:
          - {id: 1, name: "Кабинет №1"}
    """))

    rows = week("Кабинет №1")
    assert len(rows) == 7
    assert {(row.opens, row.closes, row.slot_minutes, row.lunch_start, row.is_day_off) for row in rows} == {
        (time(10), time(22), 30, None, False),
    }


def test_unquoted_times_and_numbers_are_read_as_written(write):
    # YAML 1.1 would read 10:00 as 600 and 010 as 8.
    load("--cabinets", write("cabinets.yaml", """
        defaults:
          schedule: {start_time: 10:00, end_time: 18:30, lunch_start: 13:00, lunch_end: 13:45}
        cabinets:
          - {id: 1, name: "Кабинет №1", number: 010}
        holidays:
          - {date: 2026-06-12, name: День России}
    """))

    monday = week("Кабинет №1")[0]
    assert (monday.opens, monday.closes, monday.lunch_start, monday.lunch_end) == (
        time(10), time(18, 30), time(13), time(13, 45))
    assert Cabinet.objects.get().number == "010"
    assert Holiday.objects.get().date == date(2026, 6, 12)


def test_yaml_anchors_can_share_a_schedule(write):
    load("--cabinets", write("cabinets.yaml", """
        defaults:
          schedule: &day {start_time: "10:00", end_time: "22:00"}
        cabinets:
          - id: 1
            name: "Кабинет №1"
            default_schedule:
              <<: *day
              lunch_start: "13:00"
              lunch_end: "14:00"
    """))

    monday = week("Кабинет №1")[0]
    assert (monday.opens, monday.closes, monday.lunch_start) == (time(10), time(22), time(13))


def test_an_items_file_alone_finds_a_previously_imported_cabinet(write):
    load("--cabinets", write("cabinets.yaml", SEED_CABINETS))

    load("--items", write("items.yaml", """
        items:
          - {id: 9, name: "Ultraformer III", total_quantity: 1, cabinet_id: 2}
    """))

    assert Item.objects.get().cabinet == Cabinet.objects.get(name="Кабинет №2")


def test_it_refuses_an_items_file_alone_naming_a_cabinet_never_imported(write):
    message = refused("--items", write("items.yaml", """
        items:
          - {id: 9, name: "Ultraformer III", total_quantity: 1, cabinet_id: 2}
    """))

    assert 'items[0] (id 9, "Ultraformer III"): cabinet_id 2 matches no imported cabinet' in message
    assert nothing_written()


def test_the_files_are_read_as_utf8_even_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "items.yaml"
    path.write_bytes("\ufeffitems:\n  - {id: 1, name: \"Infini, УФА\", total_quantity: 1}\n".encode())

    load("--items", str(path))

    assert Item.objects.get().name == "Infini, УФА"


# --- Re-import -----------------------------------------------------------------------------------------


def test_rerunning_an_unchanged_catalogue_reports_everything_unchanged(write):
    args = ("--items", write("items.yaml", SEED_ITEMS), "--cabinets", write("cabinets.yaml", SEED_CABINETS))
    load(*args)

    out = load(*args)

    assert "Cabinets: 0 created, 0 updated, 2 unchanged" in out
    assert "Holidays: 0 created, 0 updated, 2 unchanged" in out
    assert "Items: 0 created, 0 updated, 5 unchanged" in out
    assert (Item.objects.count(), Cabinet.objects.count(), WeeklySchedule.objects.count(),
            Holiday.objects.count()) == (5, 2, 14, 2)


def test_reimport_after_an_edit_updates_in_place_and_reports_it(write):
    load("--items", write("items.yaml", SEED_ITEMS), "--cabinets", write("cabinets.yaml", SEED_CABINETS))
    accent_pk = Item.objects.get(name="Accent").pk
    schedule_pks = {row.pk for row in week("Кабинет №1")}

    out = load(
        "--items", write("items.yaml", SEED_ITEMS.replace("total_quantity: 3", "total_quantity: 2")),
        "--cabinets", write("cabinets.yaml", SEED_CABINETS.replace('lunch_start: "13:00"', 'lunch_start: "12:30"')
                            .replace('lunch_end: "14:00"', 'lunch_end: "13:30"')),
    )

    accent = Item.objects.get(name="Accent")
    assert (accent.pk, accent.quantity) == (accent_pk, 2)
    monday = week("Кабинет №1")[0]
    assert (monday.lunch_start, monday.lunch_end) == (time(12, 30), time(13, 30))
    assert {row.pk for row in week("Кабинет №1")} == schedule_pks
    assert (Item.objects.count(), Cabinet.objects.count(), WeeklySchedule.objects.count()) == (5, 2, 14)
    assert "Items: 0 created, 1 updated, 4 unchanged" in out
    assert "updated: Accent (quantity 3 → 2)" in out
    assert "Cabinets: 0 created, 1 updated, 1 unchanged" in out
    assert ("updated: Кабинет №1 (schedule Mon, Tue, Wed, Thu, Fri, Sat: 10:00-22:00 by 30 min, lunch 13:00-14:00 "
            "→ 10:00-22:00 by 30 min, lunch 12:30-13:30)") in out


def test_reimport_moves_days_off_and_renames_holidays_by_date(write):
    load("--cabinets", write("cabinets.yaml", SEED_CABINETS))

    out = load("--cabinets", write("cabinets.yaml", SEED_CABINETS.replace("days_off: [7]", "days_off: [6, 7]")
                                   .replace('name: "Новый год"', 'name: "Новогодние каникулы"')))

    assert [row.is_day_off for row in week("Кабинет №2")] == [False] * 5 + [True, True]
    assert Holiday.objects.get(date=date(2026, 1, 1)).name == "Новогодние каникулы"
    assert Holiday.objects.count() == 2
    assert "Holidays: 0 created, 1 updated, 1 unchanged" in out
    assert 'updated: 2026-01-01 (name "Новый год" → "Новогодние каникулы")' in out


def test_fields_the_file_leaves_out_keep_what_a_manager_set(write):
    args = ("--items", write("items.yaml", SEED_ITEMS), "--cabinets", write("cabinets.yaml", SEED_CABINETS))
    load(*args)
    Item.objects.filter(name="Accent").update(category="RF-лифтинг", description="Уточнено менеджером")

    out = load(*args)

    accent = Item.objects.get(name="Accent")
    assert (accent.category, accent.description) == ("RF-лифтинг", "Уточнено менеджером")
    assert "5 unchanged" in out


def test_an_explicit_null_clears_a_field(write):
    load("--items", write("items.yaml", SEED_ITEMS), "--cabinets", write("cabinets.yaml", SEED_CABINETS))

    out = load("--items", write("items.yaml", SEED_ITEMS.replace("cabinet_id: 2", "cabinet_id: null")
                                .replace('description: "Микроигольчатый RF-лифтинг"', "description: null")))

    assert Item.objects.get(name="Ultraformer III (SMAS-лифтинг)").cabinet is None
    assert Item.objects.get(name="Infini, УФА").description == ""
    assert 'cabinet "Кабинет №2" → —' in out


def test_entries_missing_from_the_file_are_left_alone_and_listed(write):
    load("--items", write("items.yaml", SEED_ITEMS), "--cabinets", write("cabinets.yaml", SEED_CABINETS))

    out = load("--items", write("items.yaml", """
        items:
          - {id: 2, name: Accent, total_quantity: 3, sort_order: 2}
    """))

    assert Item.objects.count() == 5
    assert "not in the file, left as it is: Infini, УФА" in out


def test_a_dry_run_reports_the_changes_and_saves_nothing(write):
    out = load("--dry-run", "--items", write("items.yaml", SEED_ITEMS),
               "--cabinets", write("cabinets.yaml", SEED_CABINETS))

    assert "Dry run: nothing was saved." in out
    assert "Items: 5 created" in out
    assert nothing_written()


# --- Refused files -------------------------------------------------------------------------------------

BAD_FILES = {
    "missing field": ("items", """
        items:
          - {id: 1, name: Accent, total_quantity: 3}
          - {id: 2, name: "Infini, УФА"}
    """, 'items[1] (id 2, "Infini, УФА"): total_quantity is required'),
    "negative quantity": ("items", """
        items:
          - {id: 7, name: Accent, total_quantity: -1}
    """, 'items[0] (id 7, "Accent"): total_quantity must be a whole number >= 0, got -1'),
    "quantity as text": ("items", """
        items:
          - {id: 7, name: Accent, total_quantity: "три"}
    """, 'items[0] (id 7, "Accent"): total_quantity must be a whole number >= 0, got "три"'),
    "flag as text": ("items", """
        items:
          - {id: 7, name: Accent, total_quantity: 1, is_active: "maybe"}
    """, 'items[0] (id 7, "Accent"): is_active must be true or false, got "maybe"'),
    "empty name": ("items", """
        items:
          - {id: 7, name: "  ", total_quantity: 1}
    """, "items[0] (id 7): name must be non-empty text"),
    "duplicate id": ("items", """
        items:
          - {id: 1, name: Accent, total_quantity: 3}
          - {id: 1, name: "Infini, УФА", total_quantity: 1}
    """, 'items[1] (id 1, "Infini, УФА"): id 1 is already used by items[0] (id 1, "Accent")'),
    "duplicate name": ("items", """
        items:
          - {id: 1, name: Accent, total_quantity: 3}
          - {id: 2, name: "Accent ", total_quantity: 1}
    """, 'items[1] (id 2, "Accent"): name "Accent" is already used by items[0]'),
    "unknown field": ("items", """
        items:
          - {id: 1, name: Accent, quantity: 3}
    """, 'items[0] (id 1, "Accent"): unknown field "quantity" (did you mean total_quantity?)'),
    "entry not a mapping": ("items", """
        items:
          - Accent
    """, 'items[0]: must be a mapping of fields'),
    "empty file": ("items", "", "the file is empty"),
    "only comments": ("cabinets", "# nothing here\n", "the file is empty"),
    "not YAML": ("items", """
        items:
          - {id: 1, name: Accent
    """, "the file is not valid YAML at line"),
    "key given twice": ("items", """
        items:
          - {id: 1, name: Accent, total_quantity: 1, total_quantity: 2}
    """, "the key 'total_quantity' is given twice"),
    "not a mapping": ("items", """
        - {id: 1, name: Accent, total_quantity: 1}
    """, 'the file must be a mapping with an "items" list, got a list'),
    "missing top-level key": ("cabinets", """
        holidays: []
    """, 'the top-level key "cabinets" is missing'),
    "list that is not a list": ("items", """
        items: Accent
    """, '"items" must be a list, got "Accent"'),
    "missing cabinet name": ("cabinets", """
        cabinets:
          - {id: 1}
    """, "cabinets[0] (id 1): name is required"),
    "duplicate cabinet id": ("cabinets", """
        cabinets:
          - {id: 1, name: "Кабинет №1"}
          - {id: 1, name: "Кабинет №2"}
    """, 'cabinets[1] (id 1, "Кабинет №2"): id 1 is already used by cabinets[0]'),
    "bad time": ("cabinets", """
        defaults:
          schedule: {start_time: "25:00", end_time: "22:00"}
        cabinets:
          - {id: 1, name: "Кабинет №1"}
    """, 'defaults.schedule: start_time must be a time "HH:MM" (00:00-23:59), got "25:00"'),
    "time as a number": ("cabinets", """
        cabinets:
          - id: 1
            name: "Кабинет №1"
            default_schedule: {start_time: 10, end_time: "22:00"}
    """, 'cabinets[0] (id 1, "Кабинет №1"): default_schedule.start_time must be a time "HH:MM"'),
    "end not after start": ("cabinets", """
        defaults:
          schedule: {start_time: "22:00", end_time: "10:00"}
        cabinets: []
    """, "defaults.schedule: end_time (10:00) must be after start_time (22:00)"),
    "lunch outside hours": ("cabinets", """
        cabinets:
          - id: 2
            name: "Кабинет №2"
            default_schedule:
              start_time: "09:00"
              end_time: "21:00"
              lunch_start: "08:00"
              lunch_end: "09:30"
    """, 'cabinets[0] (id 2, "Кабинет №2"): lunch 08:00-09:30 must lie within working hours 09:00-21:00'),
    "lunch ends before it starts": ("cabinets", """
        defaults:
          schedule: {start_time: "10:00", end_time: "22:00", lunch_start: "14:00", lunch_end: "13:00"}
        cabinets: []
    """, "defaults.schedule: lunch_end (13:00) must be after lunch_start (14:00)"),
    "half a lunch": ("cabinets", """
        defaults:
          schedule: {start_time: "10:00", end_time: "22:00", lunch_start: "13:00"}
        cabinets: []
    """, "lunch_start and lunch_end go together"),
    "slot not a multiple of the grid": ("cabinets", """
        defaults:
          schedule: {start_time: "10:00", end_time: "22:00", slot_duration_minutes: 20}
        cabinets: []
    """, "slot_duration_minutes must be a positive multiple of 15 up to 240, got 20"),
    "time off the grid": ("cabinets", """
        defaults:
          schedule: {start_time: "10:10", end_time: "22:00"}
        cabinets: []
    """, "defaults.schedule: start_time 10:10 is not on the 15-minute grid"),
    "wrong schedule key": ("cabinets", """
        defaults:
          schedule: {start_time: "10:00", end_time: "22:00", slot_duration: 30}
        cabinets: []
    """, 'unknown field "slot_duration" (did you mean slot_duration_minutes?)'),
    "day off out of range": ("cabinets", """
        defaults:
          days_off: [0, 7]
        cabinets: []
    """, "defaults.days_off[0]: 0 is not a weekday number 1..7 (1 = Monday)"),
    "bad holiday date": ("cabinets", """
        cabinets: []
        holidays:
          - {date: "2026-13-01", name: "Нет такого дня"}
    """, 'holidays[0] ("Нет такого дня", 2026-13-01): date must be a date YYYY-MM-DD, got "2026-13-01"'),
    "duplicate holiday": ("cabinets", """
        cabinets: []
        holidays:
          - {date: 2026-01-01, name: "Новый год"}
          - {date: 2026-01-01, name: "Новый год"}
    """, "date 2026-01-01 is already listed by holidays[0]"),
}


@pytest.mark.parametrize("kind,text,expected", list(BAD_FILES.values()), ids=list(BAD_FILES))
def test_it_refuses_a_bad_file_naming_the_entry_and_writes_nothing(write, kind, text, expected):
    # A good file beside the bad one: the whole run is refused, so it is not written either.
    other = "cabinets" if kind == "items" else "items"
    good = {"items": "items: [{id: 1, name: Accent, total_quantity: 1}]", "cabinets": SEED_CABINETS}[other]

    message = refused(f"--{kind}", write(f"{kind}.yaml", text), f"--{other}", write(f"{other}.yaml", good))

    assert expected in message
    assert "nothing was imported" in message
    assert nothing_written()


def test_it_refuses_an_unknown_cabinet_id_naming_the_entry(write):
    message = refused("--items", write("items.yaml", SEED_ITEMS.replace("cabinet_id: 2", "cabinet_id: 9")),
                      "--cabinets", write("cabinets.yaml", SEED_CABINETS))

    assert ('items[4] (id 5, "Ultraformer III (SMAS-лифтинг)"): cabinet_id 9 is not the id of a cabinet in'
            in message)
    assert nothing_written()


def test_a_refused_reimport_leaves_the_previous_catalogue_as_it_was(write):
    load("--items", write("items.yaml", SEED_ITEMS), "--cabinets", write("cabinets.yaml", SEED_CABINETS))

    refused("--items", write("items.yaml", SEED_ITEMS.replace("total_quantity: 3", "total_quantity: 2")
                             .replace("sort_order: 1", "sort_order: first")))

    assert Item.objects.get(name="Accent").quantity == 3


def test_it_lists_every_problem_at_once(write):
    message = refused("--items", write("items.yaml", """
        items:
          - {id: 1, name: Accent}
          - {id: 2, total_quantity: 1}
    """))

    assert 'items[0] (id 1, "Accent"): total_quantity is required' in message
    assert "items[1] (id 2): name is required" in message


def test_a_missing_file_is_a_clear_error(tmp_path):
    message = refused("--items", str(tmp_path / "nope.yaml"))

    assert "nope.yaml is refused" in message
    assert "the file does not exist" in message


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "items.yaml"
    path.write_bytes("items:\n  - {id: 1, name: \"Аккорд\", total_quantity: 1}\n".encode("cp1251"))

    assert "the file is not UTF-8 text" in refused("--items", str(path))


def test_the_command_needs_at_least_one_file():
    with pytest.raises(CommandError, match="Give --items PATH, --cabinets PATH"):
        load()


# --- Shipped files -------------------------------------------------------------------------------------


def test_seed_demo_twice_yields_identical_counts_and_reports_everything_unchanged():
    first = StringIO()
    call_command("seed_demo", stdout=first, stderr=StringIO())
    counts = (Item.objects.count(), Cabinet.objects.count(), WeeklySchedule.objects.count(),
              Holiday.objects.count())
    second = StringIO()

    call_command("seed_demo", stdout=second, stderr=StringIO())

    assert (Item.objects.count(), Cabinet.objects.count(), WeeklySchedule.objects.count(),
            Holiday.objects.count()) == counts
    assert counts[1:3] == (2, 14)
    assert "Items: 0 created, 0 updated" in second.getvalue()
    assert "Cabinets: 0 created, 0 updated, 2 unchanged" in second.getvalue()
    assert "Holidays: 0 created, 0 updated" in second.getvalue()


def test_seed_demo_loads_the_demo_clinic():
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())

    assert Item.objects.filter(name="Infini, УФА").exists()
    assert Item.objects.filter(permanently_reserved=True).count() == 1
    assert Item.objects.filter(cabinet__name="Кабинет №1").count() == 1
    first, second = week("Кабинет №1")[0], week("Кабинет №2")[0]
    assert (first.opens, first.closes, first.lunch_start, first.lunch_end) == (time(10), time(22), time(13), time(14))
    assert (second.opens, second.closes, second.lunch_start) == (time(9), time(21), time(13))
    assert Holiday.objects.filter(date=date(2026, 3, 9)).exists()
    assert Holiday.objects.filter(date=date(2026, 5, 11)).exists()


@pytest.mark.parametrize("items,cabinets", [
    ("demo-items.yaml", "demo-cabinets.yaml"),
    ("items.example.yaml", "cabinets.example.yaml"),
])
def test_the_shipped_catalogue_files_are_valid(items, cabinets):
    configs = settings.BASE_DIR / "configs"
    assert read_items_file(configs / items).items
    assert read_cabinets_file(configs / cabinets).cabinets

    load("--items", str(configs / items), "--cabinets", str(configs / cabinets))



def test_a_reload_whose_hours_would_strand_a_booking_is_refused_naming_it(write, staff, frozen):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from cabinets.services import cabinet_booking_create
    from kernel.channels import Actor, Channel
    from tests.conftest import NOW

    load("--cabinets", write("cabinets.yaml", SEED_CABINETS))
    cabinet = Cabinet.objects.get(name="Кабинет №1")
    booking = cabinet_booking_create(
        cabinet=cabinet, starts_at=datetime(2026, 11, 24, 20, 0, tzinfo=ZoneInfo("Europe/Moscow")),
        duration_minutes=60, client_name="Ольга Смирнова", client_phone="+79990001122", actor=Actor.staff(staff),
        channel=Channel.ADMIN, now=NOW)

    message = refused("--cabinets", write("cabinets.yaml", SEED_CABINETS.replace('end_time: "22:00"',
                                                                                 'end_time: "20:00"')))

    assert "Кабинет №1" in message and booking.reference in message
    assert {row.closes.hour for row in week("Кабинет №1") if row.closes} == {22}


# --- The admin's rules: a reload that would strand bookings is refused whole -------------------------------


def book_units(item_name: str, units: int, staff):
    from equipment.services import equipment_booking_create
    from kernel.channels import Actor, Channel
    from tests.conftest import NOW

    return equipment_booking_create(
        item=Item.objects.get(name=item_name), start_date=date(2026, 11, 25), units=units,
        client_name="Ольга Смирнова", client_phone="+79990001122", actor=Actor.staff(staff), channel=Channel.ADMIN,
        now=NOW)


def book_cabinet(cabinet_name: str, staff):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from cabinets.services import cabinet_booking_create
    from kernel.channels import Actor, Channel
    from tests.conftest import NOW

    return cabinet_booking_create(
        cabinet=Cabinet.objects.get(name=cabinet_name),
        starts_at=datetime(2026, 11, 24, 11, 0, tzinfo=ZoneInfo("Europe/Moscow")), duration_minutes=60,
        client_name="Ольга Смирнова", client_phone="+79990001122", actor=Actor.staff(staff), channel=Channel.ADMIN,
        now=NOW)


def test_a_reload_leaving_fewer_units_than_are_booked_is_refused_naming_the_bookings(write, staff, frozen):
    from kernel.outbox.models import Event

    load("--items", write("items.yaml", SEED_ITEMS), "--cabinets", write("cabinets.yaml", SEED_CABINETS))
    booking = book_units("Accent", 2, staff)
    events = Event.objects.count()
    fewer = SEED_ITEMS.replace('"Микроигольчатый RF-лифтинг"', '"Новое описание"').replace(
        "name: Accent\n        total_quantity: 3", "name: Accent\n        total_quantity: 1")

    message = refused("--items", write("items.yaml", fewer))

    assert "Accent" in message and booking.reference in message
    assert Item.objects.get(name="Accent").quantity == 3
    assert Item.objects.get(name="Infini, УФА").description == "Микроигольчатый RF-лифтинг"  # rolled back too
    booking.refresh_from_db()
    assert booking.status == "approved" and Event.objects.count() == events


def test_a_reload_withdrawing_an_item_with_bookings_is_refused_naming_them(write, staff, frozen):
    load("--items", write("items.yaml", SEED_ITEMS), "--cabinets", write("cabinets.yaml", SEED_CABINETS))
    booking = book_units("Accent", 1, staff)
    withdrawn = SEED_ITEMS.replace("name: Accent\n        total_quantity: 3",
                                   "name: Accent\n        total_quantity: 3\n        is_active: false")

    message = refused("--items", write("items.yaml", withdrawn))

    assert booking.reference in message
    assert Item.objects.get(name="Accent").is_active
    booking.refresh_from_db()
    assert booking.status == "approved"


def test_a_reload_deactivating_a_cabinet_with_upcoming_bookings_is_refused_and_changes_nothing(
        write, staff, frozen):
    from kernel.outbox.models import Event

    load("--cabinets", write("cabinets.yaml", SEED_CABINETS))
    booking = book_cabinet("Кабинет №2", staff)
    events = Event.objects.count()
    closed = SEED_CABINETS.replace('number: "101"', 'number: "111"').replace(
        "capacity: 0\n        is_active: true", "capacity: 0\n        is_active: false")

    message = refused("--cabinets", write("cabinets.yaml", closed))

    assert "Кабинет №2" in message and booking.reference in message
    assert Cabinet.objects.get(name="Кабинет №2").is_active
    assert Cabinet.objects.get(name="Кабинет №1").number == "101"  # the earlier entry is rolled back too
    booking.refresh_from_db()
    assert booking.status == "approved" and Event.objects.count() == events


def test_a_reload_deactivating_a_cabinet_without_bookings_takes_it_out_of_service(write, frozen):
    load("--cabinets", write("cabinets.yaml", SEED_CABINETS))

    load("--cabinets", write("cabinets.yaml", SEED_CABINETS.replace("capacity: 0\n        is_active: true",
                                                                    "capacity: 0\n        is_active: false")))

    assert not Cabinet.objects.get(name="Кабинет №2").is_active
