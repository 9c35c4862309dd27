"""Who may read client names in a cabinet feed: the link records who issued it, and only a link a manager
issued to a manager shows names. A staff member who may only create links issues them for themselves."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from icalendar import Calendar

from accounts.permissions import MANAGERS_GROUP, managers_group_ensure
from cabinets.services import cabinet_booking_create
from integrations.calendar.models import CalendarToken
from integrations.calendar.services import calendar_token_issue
from kernel.channels import Actor, Channel
from tests.conftest import MSK, NOW
from tests.factories import CabinetFactory, StaffUserFactory, TelegramAccountFactory, with_week

pytestmark = pytest.mark.django_db
ADD = "admin:calendar_feeds_calendartoken_add"


@pytest.fixture
def room(db, alice):
    cabinet = with_week(CabinetFactory(name="Кабинет 3"))
    cabinet_booking_create(cabinet=cabinet, starts_at=datetime(2026, 11, 25, 11, tzinfo=MSK), duration_minutes=60,
                           client_name="Ольга Иванова", client_phone="+79991234567", actor=Actor.telegram(alice),
                           channel=Channel.BOT, now=NOW)
    return cabinet


@pytest.fixture
def link_maker(db):
    """Staff who may create (and view) calendar links, and nothing else: not a manager."""
    user = StaffUserFactory(username="linker")
    user.user_permissions.set(Permission.objects.filter(codename__in=["add_calendartoken", "view_calendartoken"]))
    return user


@pytest.fixture
def manager(db):
    managers_group_ensure()
    user = StaffUserFactory(username="maria")
    user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    return user


def feed_text(client, cabinet, raw) -> str:
    body = client.get(f"/calendar/cabinets/{cabinet.pk}/{raw}.ics").content
    return "".join(event.to_ical().decode() for event in Calendar.from_ical(body).walk("VEVENT"))


def issued_link(response) -> str:
    url = re.search(r'id="calendar-link"[^>]*>([^<]+)<', response.content.decode()).group(1)
    return "/" + url.split("/", 3)[3]


def test_a_link_for_a_manager_shows_no_names_when_a_non_manager_issued_it(client, room, manager, link_maker):
    boss_account = TelegramAccountFactory(telegram_id=4343, is_manager=True)
    _t1, for_manager_user = calendar_token_issue(cabinet=room, user=manager, issued_by=link_maker, now=NOW)
    _t2, for_boss = calendar_token_issue(cabinet=room, account=boss_account, issued_by=link_maker, now=NOW)

    for raw in (for_manager_user, for_boss):
        text = feed_text(client, room, raw)
        assert "Ольга" not in text and "999" not in text and "О. И." in text


def test_a_link_a_manager_issues_to_themselves_shows_names(client, room, manager):
    _token, raw = calendar_token_issue(cabinet=room, user=manager, issued_by=manager, now=NOW)

    assert "Ольга Иванова" in feed_text(client, room, raw)


def test_a_link_made_before_issuers_were_recorded_shows_no_names(client, room, manager):
    _token, raw = calendar_token_issue(cabinet=room, user=manager, now=NOW)

    assert "Ольга" not in feed_text(client, room, raw)


def test_a_non_manager_cannot_name_another_holder_in_the_admin(client, room, manager, link_maker):
    boss_account = TelegramAccountFactory(telegram_id=4343, is_manager=True)
    client.force_login(link_maker)

    as_manager = client.post(reverse(ADD), {"cabinet": room.pk, "user": manager.pk, "label": "mine"})
    as_boss = client.post(reverse(ADD), {"cabinet": room.pk, "user": link_maker.pk, "account": boss_account.pk,
                                         "label": "mine"})
    no_holder = client.post(reverse(ADD), {"cabinet": room.pk, "label": "screen"})

    assert as_manager.status_code == 200 and as_manager.context["adminform"].form.errors
    assert no_holder.status_code == 200 and no_holder.context["adminform"].form.errors
    assert not CalendarToken.objects.exclude(account=None).exists()  # the account field is not theirs to set
    assert not CalendarToken.objects.filter(user=manager).exists()
    # The one link that may exist is their own, and its feed shows no names.
    for token in CalendarToken.objects.all():
        assert (token.user, token.account, token.issued_by) == (link_maker, None, link_maker)
    assert as_boss.status_code == 200


def test_a_non_manager_issues_a_link_for_themselves_and_it_masks_names(client, room, link_maker):
    client.force_login(link_maker)

    response = client.post(reverse(ADD), {"cabinet": room.pk, "user": link_maker.pk, "label": "mine"})

    token = CalendarToken.objects.get()
    assert (token.user, token.issued_by) == (link_maker, link_maker)
    text = feed_text(client, room, issued_link(response).rsplit("/", 1)[-1].removesuffix(".ics"))
    assert "Ольга" not in text and "О. И." in text


def test_a_manager_issues_a_link_for_a_manager_account_and_it_shows_names(client, room, manager):
    boss_account = TelegramAccountFactory(telegram_id=4343, is_manager=True)
    client.force_login(manager)
    manager.user_permissions.set(Permission.objects.filter(codename__in=["add_calendartoken",
                                                                         "view_calendartoken"]))

    response = client.post(reverse(ADD), {"cabinet": room.pk, "account": boss_account.pk, "label": "boss"})

    token = CalendarToken.objects.get()
    assert (token.account, token.issued_by) == (boss_account, manager)
    assert "Ольга Иванова" in feed_text(client, room, issued_link(response).rsplit("/", 1)[-1].removesuffix(".ics"))
