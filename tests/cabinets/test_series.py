"""The series service: dates, lead time, DST, all-or-nothing, skipping, cancelling and who may do what."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from cabinets.models import CabinetBooking, CabinetSeries
from cabinets.series import cabinet_series_cancel, cabinet_series_create, series_dates
from cabinets.services import cabinet_booking_create
from kernel.bookings import HOLDING_STATUSES, Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.outbox.models import Event
from tests import factories
from tests.conftest import MSK, NOW

pytestmark = pytest.mark.django_db
TUE = date(2026, 11, 24)



def book_series(cabinet, actor, *, starts_at=None, now=NOW, **fields):
    defaults = dict(duration_minutes=60, every_weeks=1, count=4, client_name="Нина Орлова",
                    client_phone="+79165554433", channel=Channel.ADMIN)
    return cabinet_series_create(cabinet=cabinet, starts_at=starts_at or datetime(2026, 11, 24, 10, tzinfo=MSK),
                                 actor=actor, now=now, **{**defaults, **fields})


def refusal(call, **kwargs) -> BookingError:
    with pytest.raises(BookingError) as caught:
        call(**kwargs)
    return caught.value


def test_series_dates_step_by_weeks_for_a_count_or_until_a_date():
    assert series_dates(first=TUE, every_weeks=2, count=3) == [TUE, date(2026, 12, 8), date(2026, 12, 22)]
    assert series_dates(first=TUE, every_weeks=1, until=date(2026, 12, 14)) == [
        TUE, date(2026, 12, 1), date(2026, 12, 8)]
    assert series_dates(first=TUE, every_weeks=4, until=TUE) == [TUE]


@pytest.mark.parametrize(("fields", "code"), [
    ({"every_weeks": 0, "count": 2}, "invalid"), ({"every_weeks": 5, "count": 2}, "invalid"),
    ({"every_weeks": True, "count": 2}, "invalid"), ({"every_weeks": 1, "count": 27}, "invalid"),
    ({"every_weeks": 1, "count": 0}, "invalid"), ({"every_weeks": 1}, "invalid"),
    ({"every_weeks": 1, "count": 2, "until": date(2026, 12, 31)}, "invalid"),
    ({"every_weeks": 1, "until": date(2026, 11, 1)}, "invalid"),
    ({"every_weeks": 1, "until": date(2027, 6, 1)}, "series_too_long"),
])
def test_series_dates_refuse_bad_repeats(fields, code):
    assert refusal(series_dates, first=TUE, **fields).code == code


def test_a_series_ends_within_a_year(cabinet, staff):
    error = refusal(book_series, cabinet=cabinet, actor=Actor.staff(staff), every_weeks=4, count=26)
    assert error.code == "series_too_long" and error.details == {"horizon_days": 365}


def test_only_managers_and_partners_book_series(cabinet, alice):
    assert refusal(book_series, cabinet=cabinet, actor=Actor.telegram(alice)).code == "forbidden"


def test_the_first_date_obeys_the_lead_time(cabinet, staff):
    too_soon = datetime(2026, 11, 23, 10, 30, tzinfo=MSK)
    assert refusal(book_series, cabinet=cabinet, actor=Actor.staff(staff), starts_at=too_soon).code == "too_soon"


def test_a_refused_date_refuses_the_series_with_every_date_and_reason(cabinet, staff):
    factories.closure(cabinet, date(2026, 12, 1))
    factories.closure(cabinet, date(2026, 12, 15))
    error = refusal(book_series, cabinet=cabinet, actor=Actor.staff(staff))
    assert error.code == "series_conflict"
    assert [(c["date"], c["code"]) for c in error.details["conflicts"]] == [
        ("2026-12-01", "closed"), ("2026-12-15", "closed")]
    assert not CabinetSeries.objects.exists() and not CabinetBooking.objects.exists()
    assert not Event.objects.exists()


def test_skip_conflicts_books_the_rest_but_not_when_nothing_is_free(cabinet, staff):
    factories.holiday(date(2026, 12, 1))
    series = book_series(cabinet, Actor.staff(staff), skip_conflicts=True)
    assert [b.series_index for b in series.occurrences.order_by("starts_at")] == [1, 3, 4]
    assert series.skipped[0]["date"] == "2026-12-01" and series.skipped[0]["code"] == "closed"
    other = factories.with_week(factories.CabinetFactory(), days_off=(1,))  # closed on Tuesdays
    error = refusal(book_series, cabinet=other, actor=Actor.staff(staff), skip_conflicts=True)
    assert error.code == "series_conflict" and len(error.details["conflicts"]) == 4


def test_a_date_across_lunch_is_a_conflict_of_every_date(cabinet, staff):
    error = refusal(book_series, cabinet=cabinet, actor=Actor.staff(staff),
                    starts_at=datetime(2026, 11, 24, 12, 30, tzinfo=MSK))
    assert error.code == "series_conflict" and {c["code"] for c in error.details["conflicts"]} == {"closed"}


def test_an_inactive_cabinet_refuses_the_whole_series_at_once(staff):
    closed = factories.with_week(factories.CabinetFactory(is_active=False))
    assert refusal(book_series, cabinet=closed, actor=Actor.staff(staff)).code == "inactive"


def test_managers_are_told_once_per_series_not_per_date(cabinet, staff):
    book_series(cabinet, Actor.staff(staff))
    created = Event.objects.filter(topic=Event.Topic.CREATED).order_by("id")
    assert [e.payload.get("notify", True) for e in created] == [True, False, False, False]


@override_settings(TIME_ZONE="Europe/Berlin")
def test_the_wall_clock_time_is_kept_across_a_dst_change(staff):
    """Berlin falls back on 2026-10-25: 10:00 stays 10:00, so the UTC hour moves by one."""
    berlin = ZoneInfo("Europe/Berlin")
    cabinet = factories.with_week(factories.CabinetFactory())
    series = book_series(cabinet, Actor.staff(staff), starts_at=datetime(2026, 10, 13, 10, tzinfo=berlin),
                         now=datetime(2026, 10, 12, 9, tzinfo=berlin), count=3)
    starts = [b.starts_at for b in series.occurrences.order_by("starts_at")]
    assert [s.astimezone(berlin).strftime("%d.%m %H:%M") for s in starts] == ["13.10 10:00", "20.10 10:00",
                                                                               "27.10 10:00"]
    assert [s.astimezone(UTC).hour for s in starts] == [8, 8, 9]
    assert starts[2] - starts[1] == timedelta(days=7, hours=1)


def test_cancel_from_a_date_frees_those_dates_and_keeps_the_earlier(cabinet, staff, alice):
    series = book_series(cabinet, Actor.staff(staff))
    cancelled = cabinet_series_cancel(series=series, actor=Actor.staff(staff), now=NOW, from_date=date(2026, 12, 8))
    assert [b.series_index for b in cancelled] == [3, 4]
    series.refresh_from_db()
    assert series.status == Status.APPROVED
    cabinet_booking_create(cabinet=cabinet, starts_at=datetime(2026, 12, 8, 10, tzinfo=MSK), duration_minutes=60,
                           client_name="Алиса Б", client_phone="+79990000000", actor=Actor.telegram(alice),
                           channel=Channel.BOT, now=NOW)
    cabinet_series_cancel(series=series, actor=Actor.staff(staff), now=NOW)
    series.refresh_from_db()
    assert series.status == Status.CANCELLED
    assert not series.occurrences.filter(status__in=HOLDING_STATUSES).exists()
    assert refusal(cabinet_series_cancel, series=series, actor=Actor.staff(staff), now=NOW).code == "bad_transition"


def test_a_client_cancels_their_own_series_but_not_someone_elses(cabinet, staff, alice, bob):
    series = book_series(cabinet, Actor.staff(staff), requester=alice)
    assert refusal(cabinet_series_cancel, series=series, actor=Actor.telegram(bob), now=NOW).code == "forbidden"
    assert len(cabinet_series_cancel(series=series, actor=Actor.telegram(alice), now=NOW)) == 4


def test_started_dates_are_not_cancelled_with_the_series(cabinet, staff):
    series = book_series(cabinet, Actor.staff(staff))
    later = datetime(2026, 12, 1, 10, 30, tzinfo=MSK)  # the second date has started
    cancelled = cabinet_series_cancel(series=series, actor=Actor.staff(staff), now=later)
    assert [b.series_index for b in cancelled] == [3, 4]
    assert list(series.occurrences.order_by("starts_at").values_list("status", flat=True))[:2] == [
        Status.APPROVED, Status.APPROVED]


def test_the_refusal_is_russian_by_default_and_english_on_request(cabinet, staff):
    from django.utils import translation

    factories.holiday(date(2026, 12, 1))
    with translation.override("ru"):
        russian = refusal(book_series, cabinet=cabinet, actor=Actor.staff(staff))
        assert str(russian).startswith("Нельзя забронировать 1 из 4 дат: 01.12.2026")
    with translation.override("en"):
        english = refusal(book_series, cabinet=cabinet, actor=Actor.staff(staff))
        assert str(english).startswith("1 of 4 dates cannot be booked: 01.12.2026")
