"""E-mails in the admin: a manager lists them, finds the dead letters with their last error and sends them again
with the Retry action; the rows themselves cannot be edited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.permissions import MANAGERS_GROUP, managers_group_ensure
from integrations.mail.models import MailMessage
from tests import factories
from tests.clock import NOW

pytestmark = pytest.mark.django_db

LIST = "admin:mail_mailmessage_changelist"


@pytest.fixture
def manager_client(client, frozen):
    managers_group_ensure()
    user = factories.StaffUserFactory(username="maria")
    user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    client.force_login(user)
    return client


def message(status, **fields):
    defaults = {"dedupe_key": f"mail:test:{status}", "recipient": "ivan.petrov@example.com", "language": "ru",
                "kind": MailMessage.Kind.CONFIRMED, "resource_type": "cabinet", "booking_id": 12,
                "subject": "Бронь C-12 подтверждена", "body": "…", "calendar": "BEGIN:VCALENDAR", "method": "REQUEST",
                "sequence": 0, "status": status, "next_attempt_at": NOW, "created_at": NOW}
    return MailMessage.objects.create(**{**defaults, **fields})


def test_a_manager_finds_the_dead_letters_and_sends_them_again(manager_client):
    dead = message(MailMessage.Status.DEAD, attempts=10, last_error="recipient refused (451)")
    sent = message(MailMessage.Status.SENT, attempts=1)

    page = manager_client.get(reverse(LIST), {"dead": "yes"}).content.decode()
    assert "C-12" in page and "recipient refused (451)" in page and f"/{sent.pk}/" not in page

    response = manager_client.post(reverse(LIST), {"action": "retry", "_selected_action": [dead.pk, sent.pk]},
                                   follow=True)

    assert "1 письмо будет отправлено ещё раз." in response.content.decode()
    dead.refresh_from_db()
    sent.refresh_from_db()
    assert (dead.status, dead.attempts, dead.last_error) == (MailMessage.Status.PENDING, 0, "")
    assert sent.status == MailMessage.Status.SENT


def test_a_message_is_shown_but_cannot_be_changed(manager_client):
    row = message(MailMessage.Status.SENT)

    page = manager_client.get(reverse("admin:mail_mailmessage_change", args=[row.pk]))

    assert page.status_code == 200 and "BEGIN:VCALENDAR" in page.content.decode()
    assert manager_client.post(reverse("admin:mail_mailmessage_change", args=[row.pk]), {}).status_code == 403
