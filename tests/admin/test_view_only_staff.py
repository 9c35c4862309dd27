"""A staff member who may only view changes nothing: every action of every admin in the site is neither offered
to them nor carried out when posted anyway, and the admin's own pages that change data answer 403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from cabinets.series import cabinet_series_create
from cabinets.waitlist import cabinet_wait_join
from equipment.waitlist import equipment_wait_join
from integrations.calendar.services import calendar_token_issue
from integrations.mail.models import MailMessage
from integrations.models import Delivery
from integrations.webhooks.models import WebhookDelivery
from integrations.webhooks.services import webhook_create
from kernel.channels import Actor, Channel
from tests import factories
from tests.clock import at
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

# Everything an action could post: selected rows, the reason page's "apply", the delete confirmation.
ACTION_EXTRAS = {"index": "0", "apply": "1", "reason": "просто так", "post": "yes"}


@pytest.fixture
def viewer(db):
    user = factories.StaffUserFactory(username="observer")
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user


@pytest.fixture
def viewer_client(client, viewer, frozen):
    client.force_login(viewer)
    return client


@pytest.fixture
def clinic(item, cabinet, book_item, book_cabinet, alice, bob, partner, staff):
    """At least one row of every model whose admin has an action of its own."""
    book_item(item, at(2, 0).date(), units=2)
    book_cabinet(cabinet, at(1, 10))
    equipment_wait_join(item=item, start_date=at(2, 0).date(), end_date=at(2, 0).date(), units=1,
                        client_name="Борис Белов", client_phone="+79990001111", actor=Actor.telegram(bob),
                        channel=Channel.BOT, now=NOW)
    cabinet_wait_join(cabinet=cabinet, starts_at=at(1, 10), duration_minutes=60, client_name="Карина Цой",
                      client_phone="+79990002222", actor=Actor.telegram(bob), channel=Channel.BOT, now=NOW)
    cabinet_series_create(cabinet=cabinet, starts_at=at(3, 15), duration_minutes=60, every_weeks=1, count=3,
                          until=None, skip_conflicts=False, client_name="Нина Орлова", client_phone="+79165554433",
                          comment="", equipment=[], actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
    Delivery.objects.create(dedupe_key="dead-one", bot="cabinet", chat_id=77, status=Delivery.Status.DEAD,
                            attempts=8, next_attempt_at=NOW, created_at=NOW)
    webhook, _secret = webhook_create(partner=partner, url="https://crm.example.com/hook",
                                      event_types=["booking.created"], now=NOW)
    WebhookDelivery.objects.create(webhook=webhook, dedupe_key="dead-hook", event_id=1, event_type="booking.created",
                                   body={}, status=WebhookDelivery.Status.DEAD, attempts=9, next_attempt_at=NOW,
                                   retry_until=NOW, created_at=NOW)
    MailMessage.objects.create(dedupe_key="dead-mail", recipient="client@example.com", language="ru",
                               kind=MailMessage.Kind.CONFIRMED, resource_type="cabinet", booking_id=1, subject="-",
                               body="-", calendar="-", method="REQUEST", sequence=0, status=MailMessage.Status.DEAD,
                               attempts=10, next_attempt_at=NOW, created_at=NOW)
    calendar_token_issue(cabinet=cabinet, user=staff, now=NOW)
    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.create(name="hourly", task="integrations.tasks.deliveries_send", interval=every_hour,
                                enabled=False)
    AccessAttempt.objects.create(username="someone", ip_address="10.0.0.1", user_agent="x", http_accept="x",
                                 path_info="/admin/login/", failures_since_start=1,
                                 attempt_time=NOW - timedelta(days=30))


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table (but the sessions, which a page visit may touch)."""
    return {model._meta.label: list(model._default_manager.order_by("pk").values())
            for model in apps.get_models() if model is not Session}


def every_action() -> list[tuple]:
    """(model, action name) of every action the site offers to someone allowed everything."""
    request = RequestFactory().get("/admin/")
    request.user = factories.StaffUserFactory(username="root", is_superuser=True)
    return [(model, name) for model, model_admin in admin.site._registry.items()
            for name in model_admin.get_actions(request)]


def test_no_action_of_any_admin_is_offered_to_a_view_only_user(viewer):
    request = RequestFactory().get("/admin/")
    request.user = viewer

    offered = {f"{model._meta.label}.{name}" for model, model_admin in admin.site._registry.items()
               for name in model_admin.get_actions(request)}

    assert offered == set()


def test_posting_any_action_anyway_changes_nothing(viewer_client, clinic):
    actions, walked = every_action(), set()
    before = snapshot()
    for model, name in actions:
        pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:3])
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

        response = viewer_client.post(url, {"action": name, "_selected_action": pks, **ACTION_EXTRAS})

        assert response.status_code < 500, f"{model._meta.label}.{name} answered {response.status_code}"
        assert snapshot() == before, f"{model._meta.label}.{name} changed data for a view-only user"
        if pks:
            walked.add(f"{model._meta.label}.{name}")
    # Each action of our own (and the libraries' actions beyond deleting) was posted with rows selected.
    own = {f"{model._meta.label}.{name}" for model, name in actions if name != "delete_selected"}
    assert own <= walked, own - walked
    assert {"cabinets.CabinetSeries.cancel_upcoming", "waitlist.Wait.cancel_selected",
            "integrations.Delivery.retry", "webhooks.WebhookDelivery.retry", "mail.MailMessage.retry"} <= walked


def test_the_pages_that_change_data_answer_403_to_a_view_only_user(viewer_client, clinic):
    from cabinets.models import CabinetBooking, CabinetSeries
    from equipment.models import EquipmentBooking

    series = CabinetSeries.objects.get()
    equipment_booking = EquipmentBooking.objects.first()
    cabinet_booking = CabinetBooking.objects.first()
    pages = [
        reverse("admin:cabinets_cabinetseries_cancel", args=[series.pk]),
        reverse("admin:cabinets_cabinetseries_add"),
        reverse("admin:cabinets_cabinetseries_change", args=[series.pk]),
        reverse("admin:equipment_equipmentbooking_move", args=[equipment_booking.pk]),
        reverse("admin:equipment_equipmentbooking_add"),
        reverse("admin:equipment_equipmentbooking_change", args=[equipment_booking.pk]),
        reverse("admin:cabinets_cabinetbooking_move", args=[cabinet_booking.pk]),
        reverse("admin:cabinets_cabinetbooking_add"),
        reverse("admin:cabinets_cabinetbooking_change", args=[cabinet_booking.pk]),
        reverse("admin:calendar_feeds_calendartoken_add"),
    ]
    before = snapshot()

    for url in pages:
        response = viewer_client.post(url, {"from_date": at(1, 0).date().isoformat(), "reason": "просто так",
                                            "day": at(5, 0).date().isoformat(), "start_time": "16:00",
                                            "duration_minutes": "60", "manager_comment": "изменено"})

        assert response.status_code == 403, url
    assert snapshot() == before


def test_posting_to_every_custom_admin_page_changes_nothing_for_a_view_only_user(viewer_client, clinic):
    before = snapshot()
    for model, model_admin in admin.site._registry.items():
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        own = model_admin.get_urls()[:-len(admin.ModelAdmin(model, admin.site).get_urls())]
        for pattern in own:
            args = [first] if pattern.pattern.converters else []
            if args and first is None:
                continue
            viewer_client.post(reverse(f"admin:{pattern.name}", args=args), {"reason": "x", "apply": "1"})
            assert snapshot() == before, f"{pattern.name} changed data for a view-only user"


def test_managers_keep_the_actions_that_need_the_change_permission(manager_user):
    request = RequestFactory().get("/admin/")
    request.user = manager_user

    offered = {f"{model._meta.label}.{name}" for model, model_admin in admin.site._registry.items()
               for name in model_admin.get_actions(request)}

    assert {"cabinets.CabinetSeries.cancel_upcoming", "waitlist.Wait.cancel_selected",
            "integrations.Delivery.retry", "webhooks.WebhookDelivery.retry", "mail.MailMessage.retry",
            "cabinets.CabinetBooking.cancel_selected"} <= offered
