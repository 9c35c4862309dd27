"""Forged button presses. callback_data is written by the client, so anyone can send any of it: a client who
names another client's booking or waitlist entry, or presses a manager's button, changes nothing and learns
nothing about it. Every button verb of both bots (from their tables) is either checked here or listed as one
that names nothing of anyone else."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from django.apps import apps

from accounts.models import TelegramAccount
from cabinets.series import cabinet_series_create
from cabinets.services import cabinet_booking_approve, cabinet_booking_create
from cabinets.waitlist import cabinet_wait_join
from equipment.services import equipment_booking_approve, equipment_booking_cancel, equipment_booking_create
from equipment.waitlist import equipment_wait_join
from integrations.telegram.bots import flow_for
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.waitlist.models import Wait
from tests.conftest import MSK, NOW
from tests.factories import CabinetFactory, ItemFactory, StaffUserFactory, TelegramAccountFactory, with_week
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db

BOTS = ("equipment", "cabinet")
# Verbs that take the id of a booking only its requester may act on (a manager may too).
OWNERS = {"open", "cancel", "cxy", "come", "cxl", "cxly", "pay", "payw"}
# Verbs only a manager may use, on anyone's booking.
MANAGERS = {"ap", "rj", "rjn", "ns"}
# Verbs that take the id of a waitlist entry only its holder may act on.
WAITERS = {"wcx", "wbk", "wno"}
# Verbs that take the id of a client record only the Telegram account that books as it may act on (top-ups).
CLIENTS = {"tu1", "tu3", "tu5"}
# Verbs whose number names nothing of another user: the presser's own calendar link and own refused request,
# and catalogue items and pages anyone may see.
HARMLESS = {"caln", "join", "sch", "schp", "bk", "pkg"}

ANN = {"client_name": "Anna Smirnova", "client_phone": "+7 999 123-45-67"}
BOOKING_APPS = ("cabinets", "equipment", "waitlist", "outbox", "payments")


def bookings_snapshot() -> dict:
    return {model._meta.label: list(model.objects.order_by("pk").values())
            for model in apps.get_models() if model._meta.app_label in BOOKING_APPS}


def forgeries() -> list[tuple[str, str]]:
    return [(bot, verb) for bot in BOTS for verb in sorted(flow_for(bot).buttons())
            if verb in OWNERS | MANAGERS | WAITERS | CLIENTS]


@pytest.fixture
def manager(user_factory, db):
    TelegramAccountFactory(telegram_id=9001, username="boss", first_name="Maria", is_manager=True, language_code="en")
    return user_factory(9001, first_name="Maria")


@pytest.fixture
def anns(ann, ben, manager, bot_api, django_capture_on_commit_callbacks):
    """Ann's bookings and waits in both bots, pending, approved, started and in a series; Ben and the manager
    have written to both bots."""
    for user in (ann, ben, manager):
        user.send("/start")
        user.on("cabinet").send("/start")
    owner = TelegramAccount.objects.get(telegram_id=ann.id)
    as_ann, as_boss = Actor.telegram(owner), Actor.telegram(TelegramAccount.objects.get(telegram_id=manager.id))
    yesterday = NOW - timedelta(days=1)
    item, scarce = ItemFactory(name="ЭКГ аппарат", quantity=2), ItemFactory(name="УЗИ", quantity=1)
    room = with_week(CabinetFactory(name="Кабинет 3"))

    def equipment(start, end, now=NOW):
        return equipment_booking_create(item=item, start_date=start, end_date=end, units=1, actor=as_ann,
                                        channel=Channel.BOT, now=now, **ANN)

    def cabinet(starts_at, now=NOW):
        return cabinet_booking_create(cabinet=room, starts_at=starts_at, duration_minutes=60, actor=as_ann,
                                      channel=Channel.BOT, now=now, **ANN)

    def others_equipment(day):
        return equipment_booking_create(item=scarce, start_date=day, end_date=day, units=1, client_name="Пётр И",
                                        client_phone="+79990000000", actor=Actor.system(), channel=Channel.ADMIN,
                                        now=NOW)

    equipment_started = equipment(date(2026, 11, 23), date(2026, 11, 24), now=yesterday)
    equipment_booking_approve(booking=equipment_started, actor=as_boss, now=yesterday)
    cabinet_started = cabinet(datetime(2026, 11, 23, 9, tzinfo=MSK), now=yesterday)
    cabinet_booking_approve(booking=cabinet_started, actor=as_boss, now=yesterday)
    approved = cabinet(datetime(2026, 11, 24, 15, tzinfo=MSK))
    cabinet_booking_approve(booking=approved, actor=as_boss, now=NOW)
    series = cabinet_series_create(cabinet=room, starts_at=datetime(2026, 11, 25, 10, tzinfo=MSK),
                                   duration_minutes=60, every_weeks=1, count=2, requester=owner,
                                   actor=Actor.staff(StaffUserFactory()), channel=Channel.ADMIN, now=NOW, **ANN)
    others_equipment(date(2026, 12, 10))
    blocker = others_equipment(date(2026, 12, 12))
    cabinet_booking_create(cabinet=room, starts_at=datetime(2026, 11, 26, 10, tzinfo=MSK), duration_minutes=60,
                           client_name="Пётр И", client_phone="+79990000000", actor=Actor.system(),
                           channel=Channel.ADMIN, now=NOW)
    waits = [equipment_wait_join(item=scarce, start_date=day, actor=as_ann, channel=Channel.BOT, now=NOW, **ANN)
             for day in (date(2026, 12, 10), date(2026, 12, 12))]
    with django_capture_on_commit_callbacks(execute=True):
        equipment_booking_cancel(booking=blocker, actor=Actor.system(), now=NOW)
    waits.append(cabinet_wait_join(cabinet=room, starts_at=datetime(2026, 11, 26, 10, tzinfo=MSK),
                                   duration_minutes=60, actor=as_ann, channel=Channel.BOT, now=NOW, **ANN))
    assert Wait.objects.get(pk=waits[1].pk).status == Wait.Status.OFFERED
    return {
        "bookings": {
            "equipment": [equipment(date(2026, 12, 3), date(2026, 12, 4)).pk, equipment_started.pk],
            "cabinet": [cabinet(datetime(2026, 11, 24, 10, tzinfo=MSK)).pk, cabinet_started.pk, approved.pk,
                        *series.occurrences.values_list("pk", flat=True)],
        },
        "waits": {"equipment": [waits[0].pk, waits[1].pk], "cabinet": [waits[2].pk]},
        "clients": [approved.client_id],
    }


def leaks(text: str, targets: list[int]) -> list[str]:
    """What the text tells of Ann's bookings or waits: their numbers, what they are for, her name or phone.
    Bulleted lines name the public catalogue (the catalogue list, free-text examples), not anyone's booking."""
    text = "\n".join(line for line in text.splitlines() if not line.startswith("• "))
    digits = re.sub(r"\D", "", text)
    told = [word for word in ("Smirnova", "Anna", "ЭКГ", "УЗИ", "Кабинет 3") if word in text]
    # A booking is named by its reference (E-3, C-3); waits and older texts by "#3".
    told += [f"#{target}" for target in targets if re.search(rf"(#|\b[EC]-){target}\b", text)]
    return told + (["phone"] if "9991234567" in digits else [])


def test_every_button_verb_of_both_bots_is_classified():
    for bot in BOTS:
        verbs = set(flow_for(bot).buttons())
        known = OWNERS | MANAGERS | WAITERS | CLIENTS | HARMLESS
        assert verbs <= known, verbs - known
        assert MANAGERS <= verbs and {"open", "cancel", "cxy"} <= verbs and WAITERS <= verbs


@pytest.mark.parametrize(("bot", "verb"), forgeries())
def test_a_forged_button_changes_nothing_and_shows_nothing(anns, ben, bot, verb, settings):
    settings.PAYMENT_PROVIDER_TOKEN = "284685063:TEST:forgery"  # Pay and top-up buttons would take money
    stranger = ben.on(bot)
    prefix = flow_for(bot).prefix
    targets = (anns["waits"][bot] if verb in WAITERS else anns["clients"] if verb in CLIENTS
               else anns["bookings"][bot])
    before = bookings_snapshot()

    heard = []
    for target in targets:
        heard += stranger.press_data(f"{prefix}:{verb}:{target}", 1)
    heard += stranger.send("Клиент не пришёл")  # a reason, in case a reject dialog had been opened

    assert bookings_snapshot() == before
    assert not leaks(said(heard), targets), said(heard)


def test_the_same_buttons_work_for_the_owner_and_the_manager(anns, ann, manager):
    """The forged presses above use well-formed data: pressed by the right person they act."""
    equipment_pending, equipment_started = anns["bookings"]["equipment"]
    cabinet_pending, cabinet_started = anns["bookings"]["cabinet"][:2]
    waiting, offered = anns["waits"]["equipment"]
    from cabinets.models import CabinetBooking
    from equipment.models import EquipmentBooking

    ann.press_data(f"eq:cxy:{equipment_pending}", 1)
    assert EquipmentBooking.objects.get(pk=equipment_pending).status == Status.CANCELLED
    manager.on("cabinet").press_data(f"cab:ap:{cabinet_pending}", 1)
    assert CabinetBooking.objects.get(pk=cabinet_pending).status == Status.APPROVED
    manager.on("cabinet").press_data(f"cab:ns:{cabinet_started}", 1)
    assert CabinetBooking.objects.get(pk=cabinet_started).status == Status.NO_SHOW
    manager.press_data(f"eq:ns:{equipment_started}", 1)
    assert EquipmentBooking.objects.get(pk=equipment_started).status == Status.NO_SHOW
    ann.press_data(f"eq:wcx:{waiting}", 1)
    ann.press_data(f"eq:wbk:{offered}", 1)
    assert list(Wait.objects.filter(pk__in=[waiting, offered]).order_by("pk").values_list("status", flat=True)) == [
        Wait.Status.CANCELLED, Wait.Status.BOOKED]
