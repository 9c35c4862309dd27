"""Partner webhooks in the admin: a manager adds an endpoint and sees its secret once; dead letters are
listed with their last response code and the Retry action sends them again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.permissions import MANAGERS_GROUP, managers_group_ensure
from integrations.webhooks.delivery import webhook_deliveries_send_due
from integrations.webhooks.models import PartnerWebhook, WebhookDelivery
from tests import factories
from tests.conftest import NOW
from tests.integrations.webhooks.conftest import book_accent

pytestmark = pytest.mark.django_db(transaction=True)

ADD = "admin:webhooks_partnerwebhook_add"
DELIVERIES = "admin:webhooks_webhookdelivery_changelist"


@pytest.fixture
def manager_client(client, frozen):
    managers_group_ensure()
    user = factories.StaffUserFactory(username="maria")
    user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    client.force_login(user)
    return client


def test_a_manager_adds_an_endpoint_and_sees_the_secret_once(manager_client, crm):
    response = manager_client.post(reverse(ADD), {
        "partner": crm.pk, "url": "https://93.184.216.34/hooks", "event_types": ["booking.created",
                                                                                "booking.cancelled"],
        "is_active": "on"})
    assert response.status_code == 200, response.content
    webhook = PartnerWebhook.objects.get()
    assert webhook.event_types == ["booking.created", "booking.cancelled"] and webhook.partner == crm
    page = response.content.decode()
    assert webhook.secret in page and "показывается только один раз" in page

    change = manager_client.get(reverse("admin:webhooks_partnerwebhook_change", args=[webhook.pk]))
    listing = manager_client.get(reverse("admin:webhooks_partnerwebhook_changelist"))
    assert change.status_code == listing.status_code == 200
    assert webhook.secret not in change.content.decode() and webhook.secret not in listing.content.decode()


def test_an_english_speaking_manager_is_told_in_english(manager_client, crm, settings):
    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = manager_client.post(reverse(ADD), {
        "partner": crm.pk, "url": "https://93.184.216.34/hooks", "event_types": ["booking.created"],
        "is_active": "on"})
    assert "It is shown only once" in response.content.decode()


def test_the_admin_refuses_a_private_receiver_in_production(manager_client, crm, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    response = manager_client.post(reverse(ADD), {
        "partner": crm.pk, "url": "http://169.254.169.254/latest", "event_types": ["booking.created"],
        "is_active": "on"})
    assert response.status_code == 200
    assert "link-local" in response.content.decode()
    assert PartnerWebhook.objects.count() == 0


def test_dead_letters_are_listed_with_the_last_code_and_can_be_retried(manager_client, api, accent, hook,
                                                                       receiver):
    receiver.answer(*([500] * 100))
    book_accent(api, accent)
    delivery = WebhookDelivery.objects.get()
    at = NOW
    for _ in range(100):
        webhook_deliveries_send_due(now=at)
        delivery.refresh_from_db()
        if delivery.status == "dead":
            break
        at = delivery.next_attempt_at
    assert delivery.status == "dead"

    listing = manager_client.get(reverse(DELIVERIES), {"dead": "yes"}).content.decode()
    assert "booking.created" in listing and "HTTP 500" in listing and "ClinicCRM" in listing
    assert '<td class="field-last_status_code">500</td>' in listing

    receiver.answer()
    response = manager_client.post(reverse(DELIVERIES), {"action": "retry", "_selected_action": [delivery.pk]},
                                   follow=True)
    assert "1 доставка вебхука будет отправлена ещё раз" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert webhook_deliveries_send_due(now=NOW + timedelta(minutes=1)) == {"delivered": 1}


def test_a_manager_changes_the_event_types_and_switches_an_endpoint_off(manager_client, hook):
    webhook, secret = hook
    response = manager_client.post(reverse("admin:webhooks_partnerwebhook_change", args=[webhook.pk]), {
        "url": webhook.url, "event_types": ["booking.cancelled"]})
    assert response.status_code == 302, response.content
    webhook.refresh_from_db()
    assert (webhook.event_types, webhook.is_active, webhook.secret) == (["booking.cancelled"], False, secret)


def test_delivered_webhooks_are_purged_after_the_retention(api, accent, hook, receiver, settings):
    from integrations.purge import purge_expired

    book_accent(api, accent)
    webhook_deliveries_send_due(now=NOW)
    assert purge_expired(now=NOW + timedelta(days=settings.RETENTION_DAYS - 1))["webhook_deliveries"] == 0
    assert purge_expired(now=NOW + timedelta(days=settings.RETENTION_DAYS + 1))["webhook_deliveries"] == 1
    assert WebhookDelivery.objects.count() == 0
