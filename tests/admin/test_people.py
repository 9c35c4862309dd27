"""Telegram accounts (block, unblock, manager flag) and partners (key shown once, scopes, revoke)."""

from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Partner
from accounts.services import partner_authenticate

ACCOUNTS = "admin:accounts_telegramaccount_changelist"
PARTNERS = "admin:accounts_partner_changelist"


def act(client, url_name, action, ids, **extra):
    return client.post(reverse(url_name), {"action": action, "_selected_action": [str(i) for i in ids], **extra},
                       follow=True)


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_blocking_asks_for_a_reason_then_blocks(manager_client, alice):
    first = act(manager_client, ACCOUNTS, "block_selected", [alice.pk])
    assert 'name="reason"' in first.content.decode()
    alice.refresh_from_db()
    assert not alice.is_blocked

    act(manager_client, ACCOUNTS, "block_selected", [alice.pk], apply="1", reason="Не приходит на приёмы")

    alice.refresh_from_db()
    assert alice.is_blocked and alice.blocked_reason == "Не приходит на приёмы" and alice.blocked_at


def test_blocking_a_manager_is_refused_with_the_reason(manager_client, manager_account):
    response = act(manager_client, ACCOUNTS, "block_selected", [manager_account.pk], apply="1", reason="x")

    manager_account.refresh_from_db()
    assert not manager_account.is_blocked
    assert any("manager" in m.lower() or "менеджер" in m.lower() for m in texts(response))


def test_unblocking_clears_the_block(manager_client, blocked):
    act(manager_client, ACCOUNTS, "unblock_selected", [blocked.pk])

    blocked.refresh_from_db()
    assert not blocked.is_blocked and blocked.blocked_reason == ""


def test_the_manager_flag_is_granted_and_removed(manager_client, alice):
    act(manager_client, ACCOUNTS, "make_manager", [alice.pk])
    alice.refresh_from_db()
    assert alice.is_manager

    act(manager_client, ACCOUNTS, "remove_manager", [alice.pk])
    alice.refresh_from_db()
    assert not alice.is_manager


def test_account_fields_from_telegram_cannot_be_edited(manager_client, alice):
    manager_client.post(reverse("admin:accounts_telegramaccount_change", args=[alice.pk]),
                        {"username": "mallory", "is_manager": "on", "reminders_enabled": ""})

    alice.refresh_from_db()
    assert alice.username == "alice" and not alice.is_manager and not alice.reminders_enabled


def test_a_new_partner_key_is_shown_once_and_works(manager_client):
    response = manager_client.post(reverse("admin:accounts_partner_add"), {
        "name": "MedCRM", "scopes": ["read:items", "write:bookings"], "rate_limit_per_minute": "60"})

    raw_key = response.context["raw_key"]
    partner = Partner.objects.get(name="MedCRM")
    assert raw_key in response.content.decode()
    assert partner_authenticate(key=raw_key) == partner
    assert partner.scopes == ["read:items", "write:bookings"]
    change_page = manager_client.get(reverse("admin:accounts_partner_change", args=[partner.pk])).content.decode()
    assert raw_key not in change_page and partner.key_hash not in change_page


def test_an_unknown_scope_or_a_taken_name_is_a_form_error(manager_client, partner):
    response = manager_client.post(reverse("admin:accounts_partner_add"), {
        "name": partner.name, "scopes": ["delete:everything"], "rate_limit_per_minute": "60"})

    form = response.context["adminform"].form
    assert form.errors["scopes"] and form.errors["name"]
    assert Partner.objects.count() == 1


def test_the_key_hash_cannot_be_changed_through_the_form(manager_client, partner):
    before = partner.key_hash

    manager_client.post(reverse("admin:accounts_partner_change", args=[partner.pk]), {
        "name": "ClinicCRM", "scopes": ["read:items"], "rate_limit_per_minute": "30", "key_hash": "0" * 64,
        "is_active": "", "key_prefix": "x"})

    partner.refresh_from_db()
    assert partner.key_hash == before and partner.is_active
    assert partner.scopes == ["read:items"] and partner.rate_limit_per_minute == 30


def test_revoking_a_partner_stops_its_key(manager_client):
    from tests.factories import partner_with_key

    partner, raw_key = partner_with_key(name="OldCRM")

    act(manager_client, PARTNERS, "revoke_selected", [partner.pk])

    partner.refresh_from_db()
    assert not partner.is_active and partner.revoked_at
    assert partner_authenticate(key=raw_key) is None


def test_a_new_key_replaces_the_old_one(manager_client):
    from tests.factories import partner_with_key

    partner, old_key = partner_with_key(name="OldCRM")

    response = act(manager_client, PARTNERS, "rotate_key", [partner.pk])

    assert partner_authenticate(key=old_key) is None
    assert partner_authenticate(key=response.context["raw_key"]) == partner
