"""A manager takes units out of service in the admin: refused while it strands a Telegram client's booking,
then accepted with cancel-and-notify, and the client is told through the outbox and the Bot API."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.permissions import MANAGERS_GROUP, managers_group_ensure
from equipment.models import EquipmentBooking, MaintenanceWindow
from kernel.bookings import Status
from tests import factories
from tests.factories import ItemFactory
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def maria(client, transactional_db, clock):
    managers_group_ensure()
    user = factories.StaffUserFactory(username="maria")
    user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    client.force_login(user)
    return client


def window(item, **extra):
    return {"item": item.pk, "units": "1", "start_date": "2026-12-01", "end_date": "2026-12-02",
            "reason": "Калибровка", **extra}


def test_a_window_is_refused_then_accepted_with_cancel_and_notify(ann, maria, bot_api):
    ecg = ItemFactory(name="ЭКГ аппарат", quantity=1)
    ann.send("📋 Book")
    ann.press("ЭКГ")
    ann.press("›")
    ann.press("2")
    ann.press("Single day")
    ann.send("Anna Smirnova")
    ann.send("+79991234567")
    ann.press("Skip")  # the birthday question
    ann.press("✅ Confirm")
    booking = EquipmentBooking.objects.get()
    url = reverse("admin:equipment_maintenancewindow_add")

    refused = maria.post(url, window(ecg))
    assert refused.status_code == 200
    errors = " ".join(refused.context["adminform"].form.non_field_errors())
    assert f"E-{booking.pk} 02.12.2026" in errors
    assert not MaintenanceWindow.objects.exists()

    accepted = maria.post(url, window(ecg, cancel_affected="on"))
    assert accepted.status_code == 302
    saved = MaintenanceWindow.objects.get()
    assert (saved.units, saved.reason, saved.created_by.username) == (1, "Калибровка", "maria")
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED
    told = [call for call in bot_api.of("sendMessage", chat_id=ann.id) if f"{booking.reference}" in (call.text or "")]
    assert told and "cancelled" in said(told[-1:]).lower() and "out of service" in told[-1].text

    # The days are now unavailable in the bot's calendar and for partners alike.
    ann.send("📋 Book")
    ann.press("ЭКГ")
    ann.press("›")
    assert "2" not in ann.labels() and "1" not in ann.labels() and "3" in ann.labels()


def test_the_occupancy_calendar_shows_turnaround_and_maintenance(maria, transactional_db):
    from equipment.maintenance import maintenance_window_save
    from equipment.services import equipment_booking_create
    from kernel.channels import Actor, Channel
    from tests.conftest import NOW

    staff = factories.StaffUserFactory(username="olga")
    laser = ItemFactory(name="Лазер", quantity=2, turnaround_days=1)
    equipment_booking_create(item=laser, start_date=date(2026, 12, 1), end_date=date(2026, 12, 1),
                             client_name="Иван Петров", client_phone="+79991234567", actor=Actor.staff(staff),
                             channel=Channel.ADMIN, now=NOW)
    maintenance_window_save(item=laser, units=1, start_date=date(2026, 12, 5), end_date=date(2026, 12, 5),
                            reason="Ремонт", actor=Actor.staff(staff), now=NOW)
    page = maria.get(reverse("admin:equipment_occupancy"), {"month": "2026-12"})
    assert page.status_code == 200
    row = next(r for r in page.context["rows"] if r["item"] == laser)
    assert (row["cells"][1]["turnaround"], row["cells"][1]["used"]) == (1, 0)
    assert row["cells"][4]["maintenance"] == 1
    assert "⟳1" in page.content.decode() and "🔧1" in page.content.decode()
