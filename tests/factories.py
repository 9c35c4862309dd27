"""Factories for everything the personas in conftest do not cover."""

from __future__ import annotations

from datetime import date, time

import factory
from django.contrib.auth import get_user_model

from accounts.models import Client, TelegramAccount
from accounts.services import partner_create
from cabinets.models import Cabinet, Closure, Holiday, WeeklySchedule
from equipment.models import Item


class TelegramAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TelegramAccount
        skip_postgeneration_save = True

    telegram_id = factory.Sequence(lambda n: 500_000 + n)
    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Иван"
    last_name = "Петров"
    language_code = "ru"


class ClientFactory(factory.django.DjangoModelFactory):
    """A client record (one per normalised phone); give `telegram_account` for one who books in the bots."""

    class Meta:
        model = Client
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"+7999{n:07d}")
    name = "Мария Петрова"


class StaffUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Аппарат №{n}")
    quantity = 1
    sort_order = factory.Sequence(int)


class CabinetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cabinet
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Кабинет {n}")
    number = factory.Sequence(str)


def with_week(cabinet, opens=time(9), closes=time(21), lunch=(time(13), time(14)), slot_minutes=30,
              days_off=()):
    """Give a cabinet the same hours every weekday, except `days_off` (0 = Monday)."""
    for weekday in range(7):
        WeeklySchedule.objects.create(
            cabinet=cabinet, weekday=weekday, is_day_off=weekday in days_off,
            opens=None if weekday in days_off else opens, closes=None if weekday in days_off else closes,
            lunch_start=None if weekday in days_off or not lunch else lunch[0],
            lunch_end=None if weekday in days_off or not lunch else lunch[1],
            slot_minutes=slot_minutes,
        )
    return cabinet


def holiday(day: date, name: str = "Праздник") -> Holiday:
    return Holiday.objects.create(date=day, name=name)


def closure(cabinet, day: date, start=None, end=None, reason="Ремонт") -> Closure:
    return Closure.objects.create(cabinet=cabinet, date=day, start_time=start, end_time=end, reason=reason)


def partner_with_key(*, name="Partner", scopes=("read:items", "read:availability", "write:bookings"),
                     extra: str = "", rate_limit=120):
    """A partner and its raw key, made the way the product makes them."""
    return partner_create(name=name, scopes=scopes, extra_secret=extra, rate_limit_per_minute=rate_limit)
