"""Calendar feeds and .ics: the attachment of a confirmation, the private links of both bots, the cabinet
links of the admin, and what calendar apps see when a booking moves or is cancelled. Every feed is parsed
back with `icalendar`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from cabinets.models import CabinetBooking
from cabinets.services import (
    cabinet_booking_approve,
    cabinet_booking_cancel,
    cabinet_booking_create,
    cabinet_booking_move,
)
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_approve, equipment_booking_create
from integrations.calendar.models import CalendarToken
from integrations.calendar.services import calendar_token_issue, token_hash
from kernel.channels import Actor, Channel
from tests.conftest import MSK, NOW
from tests.factories import CabinetFactory, ItemFactory, StaffUserFactory, TelegramAccountFactory, with_week
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"https?://\S+/calendar/\S+\.ics")


@pytest.fixture
def ecg(transactional_db):
    return ItemFactory(name="ЭКГ аппарат", quantity=2)


@pytest.fixture
def room(transactional_db):
    return with_week(CabinetFactory(name="Кабинет 3", address="2nd floor"))


def events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def request_equipment(user):
    user.send("📋 Book")
    user.press("ЭКГ")
    user.press("›")
    user.press("1")
    user.press("Single day")
    user.press("1")
    user.send("Anna Smirnova")
    user.send("+79991234567")
    user.press("Skip")  # the birthday question
    user.press("✅ Confirm")
    return EquipmentBooking.objects.latest("pk")


def link_from(user) -> str:
    """The calendar link the bot sent last, as a path on this site."""
    for call in reversed(user.api.of("sendMessage", chat_id=user.id) + user.api.of("editMessageText", chat_id=user.id)):
        found = LINK.search(call.text)
        if found:
            return "/" + found.group(0).split("/", 3)[3]
    raise AssertionError("no calendar link was sent")


def test_an_approval_comes_with_an_ics_of_the_booking(ann, boss, ecg, bot_api):
    booking = request_equipment(ann)
    boss.press("✅ Approve")

    [document] = bot_api.of("sendDocument", chat_id=ann.id)
    upload = document.fields["document"]
    assert upload["filename"] == f"booking-{booking.pk}.ics" and upload["content_type"] == "text/calendar"
    assert f"{booking.reference}" in document.fields["caption"]
    [event] = events(upload["content"]).values()
    assert event["UID"] == f"equipment-booking-{booking.pk}@127.0.0.1"
    assert event["STATUS"] == "CONFIRMED"
    # A whole-day booking is a DATE event: 1 December, ending (exclusively) on the 2nd.
    assert event.decoded("DTSTART") == date(2026, 12, 1) and event.decoded("DTEND") == date(2026, 12, 2)
    assert "ЭКГ аппарат" in str(event["SUMMARY"]) and f"booking E-{booking.pk}" in str(event["SUMMARY"])
    # The message comes first, then the document.
    calls = [c for c in bot_api.of(chat_id=ann.id) if c.method in ("sendMessage", "sendDocument")]
    assert calls[-2].method == "sendMessage" and "is approved" in calls[-2].text


def test_a_rejection_carries_no_ics(ann, boss, ecg, bot_api):
    request_equipment(ann)
    boss.press("❌ Reject")
    boss.press("Reject without a reason")
    assert bot_api.of("sendDocument", chat_id=ann.id) == []


def test_my_bookings_offers_a_private_link_that_a_new_link_revokes(ann, ecg, bot_api, client):
    booking = request_equipment(ann)
    calls = ann.send("📊 My bookings")
    assert "private calendar link" in said(calls)
    first = link_from(ann)
    response = client.get(first)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert f"equipment-booking-{booking.pk}@127.0.0.1" in events(response.content)
    raw = first.rsplit("/", 1)[1].removesuffix(".ics")
    assert CalendarToken.objects.get(revoked_at__isnull=True).token_hash == token_hash(raw)

    # The link is not shown again (only its hash is kept), but it can be replaced.
    again = said(ann.send("📊 My bookings"))
    assert "was sent here on 23.11.2026" in again and LINK.search(again) is None
    ann.press("🔄 New calendar link")
    second = link_from(ann)
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_the_cabinet_bot_offers_the_same_link_for_both_kinds(ann, ecg, room, bot_api, client):
    equipment = request_equipment(ann)
    account = equipment.requester
    cabinet_booking = cabinet_booking_create(
        cabinet=room, starts_at=datetime(2026, 11, 25, 11, tzinfo=MSK), duration_minutes=60, client_name="Anna",
        client_phone="+79991234567", actor=Actor.telegram(account), channel=Channel.BOT, now=NOW,
        equipment=[(ecg, 1)])
    cab = ann.on("cabinet")
    assert "private calendar link" in said(cab.send("📊 My bookings"))
    found = events(client.get(link_from(cab)).content)
    assert set(found) == {f"equipment-booking-{equipment.pk}@127.0.0.1",
                          f"cabinet-booking-{cabinet_booking.pk}@127.0.0.1"}
    event = found[f"cabinet-booking-{cabinet_booking.pk}@127.0.0.1"]
    assert event["STATUS"] == "TENTATIVE"
    assert event.decoded("DTSTART") == datetime(2026, 11, 25, 11, tzinfo=MSK)
    assert "ЭКГ аппарат" in str(event["DESCRIPTION"])


def test_unknown_revoked_or_misplaced_tokens_are_404(client, room, alice, staff):
    _personal, raw = calendar_token_issue(account=alice, now=NOW)
    _cabinet, cabinet_raw = calendar_token_issue(cabinet=room, user=staff, now=NOW)
    assert client.get(f"/calendar/{raw}.ics").status_code == 200
    assert client.get(f"/calendar/cabinets/{room.pk}/{cabinet_raw}.ics").status_code == 200
    for path in ("/calendar/nope.ics", f"/calendar/{'x' * 300}.ics", f"/calendar/{cabinet_raw}.ics",
                 f"/calendar/cabinets/{room.pk}/{raw}.ics", f"/calendar/cabinets/{room.pk + 1}/{cabinet_raw}.ics",
                 "/calendar/cabinets/abc/x.ics", "/calendar/%00.ics"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/calendar/{raw}.ics").status_code == 405
    # Only the hash is stored.
    assert CalendarToken.objects.filter(token_hash=token_hash(raw)).exists()
    assert not CalendarToken.objects.filter(token_hash=raw).exists() and raw not in str(
        list(CalendarToken.objects.values()))


def test_a_move_updates_and_a_cancellation_cancels_the_same_event(client, room, alice, staff):
    booking = cabinet_booking_create(
        cabinet=room, starts_at=datetime(2026, 11, 25, 11, tzinfo=MSK), duration_minutes=60, client_name="Алиса",
        client_phone="+79991234567", actor=Actor.telegram(alice), channel=Channel.BOT, now=NOW)
    cabinet_booking_approve(booking=booking, actor=Actor.staff(staff), now=NOW)
    _token, raw = calendar_token_issue(account=alice, now=NOW)
    uid = f"cabinet-booking-{booking.pk}@127.0.0.1"

    approved = events(client.get(f"/calendar/{raw}.ics").content)[uid]
    cabinet_booking_move(booking=booking, actor=Actor.staff(staff), now=NOW + timedelta(minutes=5),
                         starts_at=datetime(2026, 11, 26, 15, tzinfo=MSK))
    moved = events(client.get(f"/calendar/{raw}.ics").content)[uid]
    cabinet_booking_cancel(booking=CabinetBooking.objects.get(pk=booking.pk), actor=Actor.staff(staff),
                           now=NOW + timedelta(minutes=10), reason="ремонт")
    cancelled = events(client.get(f"/calendar/{raw}.ics").content)[uid]

    assert approved.decoded("DTSTART") == datetime(2026, 11, 25, 11, tzinfo=MSK)
    assert moved.decoded("DTSTART") == datetime(2026, 11, 26, 15, tzinfo=MSK)
    assert moved.decoded("DTEND") == datetime(2026, 11, 26, 16, tzinfo=MSK)
    assert (approved["STATUS"], moved["STATUS"], cancelled["STATUS"]) == ("CONFIRMED", "CONFIRMED", "CANCELLED")
    assert approved["SEQUENCE"] < moved["SEQUENCE"] < cancelled["SEQUENCE"]


def test_times_are_right_on_both_sides_of_a_dst_change(client, settings, alice, staff):
    """Berlin moves its clocks on 28 March 2027: 10:00 is 09:00 UTC before and 08:00 UTC after."""
    settings.TIME_ZONE = "Europe/Berlin"
    berlin = ZoneInfo("Europe/Berlin")
    settings.CABINET_MAX_ADVANCE_DAYS = 200
    room = with_week(CabinetFactory(name="Raum 1"))
    before = cabinet_booking_create(
        cabinet=room, starts_at=datetime(2027, 3, 26, 10, tzinfo=berlin), duration_minutes=60, client_name="Alice",
        client_phone="+79991234567", actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
    after = cabinet_booking_create(
        cabinet=room, starts_at=datetime(2027, 3, 29, 10, tzinfo=berlin), duration_minutes=60, client_name="Alice",
        client_phone="+79991234567", actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
    CabinetBooking.objects.filter(pk__in=[before.pk, after.pk]).update(requester=alice)
    _token, raw = calendar_token_issue(account=alice, now=NOW)

    body = client.get(f"/calendar/{raw}.ics").content
    calendar = Calendar.from_ical(body)
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    offsets = {(part.name, part.decoded("TZOFFSETTO")) for part in zone.subcomponents}
    assert ("STANDARD", timedelta(hours=1)) in offsets and ("DAYLIGHT", timedelta(hours=2)) in offsets
    found = events(body)
    first = found[f"cabinet-booking-{before.pk}@127.0.0.1"]
    second = found[f"cabinet-booking-{after.pk}@127.0.0.1"]
    assert first["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert b"DTSTART;TZID=Europe/Berlin:20270326T100000" in body
    assert b"DTSTART;TZID=Europe/Berlin:20270329T100000" in body
    assert first.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 26, 9, tzinfo=UTC)
    assert second.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 29, 8, tzinfo=UTC)


def test_a_cabinet_link_masks_names_unless_a_manager_issued_it_to_a_manager(client, room, alice):
    booking = cabinet_booking_create(
        cabinet=room, starts_at=datetime(2026, 11, 25, 11, tzinfo=MSK), duration_minutes=60,
        client_name="Ольга Иванова", client_phone="+79991234567", actor=Actor.telegram(alice), channel=Channel.BOT,
        now=NOW)
    nurse = TelegramAccountFactory(telegram_id=4242, is_manager=False)
    manager = TelegramAccountFactory(telegram_id=4343, is_manager=True)
    root = StaffUserFactory(username="root", is_superuser=True)
    _t1, staff_raw = calendar_token_issue(cabinet=room, account=nurse, now=NOW, issued_by=root)
    _t2, manager_raw = calendar_token_issue(cabinet=room, account=manager, now=NOW, issued_by=root)
    uid = f"cabinet-booking-{booking.pk}@127.0.0.1"

    masked = events(client.get(f"/calendar/cabinets/{room.pk}/{staff_raw}.ics").content)[uid]
    full = events(client.get(f"/calendar/cabinets/{room.pk}/{manager_raw}.ics").content)[uid]
    assert str(masked["SUMMARY"]).startswith("О. И.") and "Ольга" not in str(masked.to_ical().decode())
    assert "4567" in str(masked["DESCRIPTION"]) and "999" not in str(masked["DESCRIPTION"])
    assert "Ольга Иванова" in str(full["SUMMARY"]) and "+7 999 123-45-67" in str(full["DESCRIPTION"])


def test_the_admin_issues_a_cabinet_link_once_and_revokes_it(client, room):
    superuser = StaffUserFactory(username="root", is_superuser=True)
    client.force_login(superuser)
    response = client.post(reverse("admin:calendar_feeds_calendartoken_add"),
                           {"cabinet": room.pk, "label": "Reception screen"})
    assert response.status_code == 200
    url = re.search(r'id="calendar-link"[^>]*>([^<]+)<', response.content.decode()).group(1)
    path = "/" + url.split("/", 3)[3]
    token = CalendarToken.objects.get()
    assert (token.cabinet, token.user, token.label, token.issued_by) == (room, None, "Reception screen", superuser)
    assert client.get(path).status_code == 200
    assert url not in client.get(reverse("admin:calendar_feeds_calendartoken_changelist")).content.decode()

    response = client.post(reverse("admin:calendar_feeds_calendartoken_changelist"),
                           {"action": "revoke_selected", "_selected_action": [token.pk]}, follow=True)
    assert "Отозвано ссылок на календарь: 1." in response.content.decode()  # the admin speaks Russian
    assert client.get(path).status_code == 404


def test_a_feed_takes_the_same_number_of_queries_for_many_bookings(client, room, ecg, alice, staff,
                                                                     django_assert_max_num_queries):
    _token, raw = calendar_token_issue(account=alice, now=NOW)

    def book(n, first=0):
        for i in range(first, first + n):
            start = datetime.combine(date(2026, 11, 24) + timedelta(days=i), time(9), tzinfo=MSK)
            cabinet_booking_create(cabinet=room, starts_at=start, duration_minutes=60, client_name="Алиса",
                                   client_phone="+79991234567", actor=Actor.telegram(alice), channel=Channel.BOT,
                                   now=NOW, equipment=[(ecg, 1)])
            booking = equipment_booking_create(item=ecg, start_date=start.date(), client_name="Алиса",
                                               client_phone="+79991234567", actor=Actor.telegram(alice),
                                               channel=Channel.BOT, now=NOW)
            equipment_booking_approve(booking=booking, actor=Actor.staff(staff), now=NOW)

    book(1)
    with django_assert_max_num_queries(8) as few:
        assert client.get(f"/calendar/{raw}.ics").status_code == 200
    book(10, first=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(f"/calendar/{raw}.ics").content
    assert len(events(body)) == 22
