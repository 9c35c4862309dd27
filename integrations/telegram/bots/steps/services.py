"""The cabinet bot's "Book a service" steps: category → service (its length and price on the button) →
specialist or Any → a calendar of the days with a free time (the services grid) → a free start → then the
client's steps (steps/client.py) and Confirm. With Any, a start is offered when any specialist who performs
the service is free then; the booking service picks one deterministically. A refusal at Confirm shows the
service's alternatives (specialists/alternatives.py) as buttons; one tap fills it in and goes back to
Confirm."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from integrations import texts
from integrations.telegram import alternatives
from integrations.telegram import keyboards as kb
from integrations.telegram.bots.flow import Step
from integrations.telegram.conversation import Turn
from integrations.texts import local
from kernel.errors import BookingError
from kernel.pricing.labels import money_text
from kernel.scheduling import add_months
from specialists.availability import CLOSED, HOLIDAY, service_days
from specialists.models import Service, Specialist

# The steps of the service dialog before the client's own, in order.
TRAIL = ["scat", "service", "specialist", "sdate", "stime"]
OTHER = "-"  # the category of services filed under none


def service_label(service: Service) -> str:
    """УЗИ брюшной полости · 60 мин · 2 500 ₽"""
    parts = [service.name[:40], _("%(n)s min") % {"n": service.duration_minutes}]
    if service.price is not None:
        parts.append(money_text(service.price))
    return " · ".join(parts)


def active_services():
    return Service.objects.filter(is_active=True).order_by("sort_order", "name", "id")


def categories() -> list[str]:
    found = dict.fromkeys(category or OTHER for category in active_services().values_list("category", flat=True))
    return list(found)


def category_label(category: str) -> str:
    return _("Other services") if category == OTHER else category


# --- Category ------------------------------------------------------------------------------------

def show_category(flow, turn: Turn, new: bool = False) -> None:
    found = categories()
    if not found:
        turn.dialog.reset()
        turn.say(_("There are no services to book at the moment."), flow.menu(turn))
        return
    rows = [[kb.button(category_label(category)[:60], f"w:scat:{n}")] for n, category in enumerate(found[:40])]
    turn.screen(_("🩺 Choose a kind of service:"), kb.inline([*rows, kb.nav_row(back=False)]), new=new)


def pick_category(flow, turn: Turn, value: str) -> None:
    found = categories()
    if not value.isdigit() or int(value) >= len(found):
        turn.notice(_("This button is out of date."))
        show_category(flow, turn)
        return
    turn.dialog.data.update(category=found[int(value)], service=None, specialist=None, day=None, slot=None)
    flow.enter(turn, "service")


# --- Service -------------------------------------------------------------------------------------

def show_service(flow, turn: Turn, new: bool = False) -> None:
    category = turn.dialog.data.get("category") or OTHER
    services = [service for service in active_services()[:200] if (service.category or OTHER) == category]
    if not services:
        turn.notice(_("This service is no longer available."))
        flow.enter(turn, "scat", new=new)
        return
    rows = [[kb.button(service_label(service), f"w:svc:{service.pk}")] for service in services[:40]]
    turn.screen(_("🩺 Choose a service:"), kb.inline([*rows, kb.nav_row()]), new=new)


def pick_service(flow, turn: Turn, value: str) -> None:
    service = active_services().filter(pk=int(value)).first() if value.isdigit() else None
    if service is None:
        turn.notice(_("This service is no longer available."))
        show_service(flow, turn)
        return
    turn.dialog.data.update(service=service.pk, specialist=None, day=None, slot=None, month=None)
    flow.enter(turn, "specialist")


# --- Specialist ----------------------------------------------------------------------------------

def performers(service: Service) -> list[Specialist]:
    return list(service.specialists.filter(is_active=True).order_by("sort_order", "name", "id")[:40])


def show_specialist(flow, turn: Turn, new: bool = False) -> None:
    service = flow.resource.service(turn)
    people = performers(service) if service else []
    if not people:
        turn.say(_("Nobody performs this service at the moment. Please choose another."))
        flow.enter(turn, "service", new=True)
        return
    rows = [[kb.button(_("Any specialist"), "w:spec:0")]]
    rows += [[kb.button("👩‍⚕️ " + person.name[:50], f"w:spec:{person.pk}")] for person in people]
    turn.screen(flow.summary(turn) + "\n\n" + _("👩‍⚕️ Choose a specialist:"), kb.inline([*rows, kb.nav_row()]),
                new=new)


def pick_specialist(flow, turn: Turn, value: str) -> None:
    service = flow.resource.service(turn)
    if not value.isdigit() or service is None:
        turn.notice(_("This button is out of date."))
        return
    if value != "0" and not any(person.pk == int(value) for person in performers(service)):
        turn.notice(_("This specialist is not available for booking."))
        show_specialist(flow, turn)
        return
    turn.dialog.data.update(specialist=int(value), day=None, slot=None, month=None)
    flow.enter(turn, "sdate")


# --- Date ----------------------------------------------------------------------------------------

def days_between(flow, turn: Turn, first: date, last: date) -> dict:
    service = flow.resource.service(turn)
    if service is None or first > last:
        return {}
    return {day.date: day for day in service_days(service=service, start_date=first, end_date=last, now=turn.now,
                                                  specialist=flow.resource.specialist(turn),
                                                  holder_id=turn.account.pk)}


def show_date(flow, turn: Turn, new: bool = False) -> None:
    first, last = flow.resource.today(turn), flow.resource.last_day(turn)
    year, month = kb.parse_month(turn.dialog.data.get("month") or "") or (first.year, first.month)
    month_start = date(year, month, 1)
    month_end = date(*add_months(year, month, 1), 1) - timedelta(days=1)
    days = days_between(flow, turn, max(month_start, first), min(month_end, last))

    def day_button(day: date) -> tuple[str, bool]:
        found = days.get(day)
        if found is None:
            return "·", False
        if found.reason in (HOLIDAY, CLOSED):
            return "✖", False
        if not found.slots:
            return "—", False
        return str(day.day), True

    rows = kb.calendar(year=year, month=month, day_button=day_button, first_month=(first.year, first.month),
                       last_month=(last.year, last.month), day_verb="sday")
    turn.screen(flow.summary(turn) + "\n\n" + _("📅 Choose a date (✖ — closed, — — no free time):"),
                kb.inline([*rows, kb.nav_row()]), new=new)


def pick_month(flow, turn: Turn, value: str) -> None:
    if kb.parse_month(value) is None:
        turn.notice(_("This button is out of date."))
        return
    turn.dialog.data["month"] = value
    show_date(flow, turn)


def pick_day(flow, turn: Turn, value: str) -> None:
    day = kb.parse_day(value)
    if day is None or not flow.resource.today(turn) <= day <= flow.resource.last_day(turn):
        turn.notice(_("This button is out of date."))
        return
    found = days_between(flow, turn, day, day).get(day)
    if found is None or not found.slots:
        turn.say(_("There is no free time for this service on %(day)s. Please choose another date.") % {
            "day": texts.day_text(day)})
        return
    turn.dialog.data.update(day=day.isoformat(), slot=None)
    flow.enter(turn, "stime")


# --- Time ----------------------------------------------------------------------------------------

def show_time(flow, turn: Turn, new: bool = False) -> None:
    day = flow.resource.day(turn)
    found = days_between(flow, turn, day, day).get(day) if day else None
    slots = found.slots if found else []
    buttons = [kb.button(texts.hhmm(slot.starts_at), f"w:stime:{local(slot.starts_at):%H%M}") for slot in slots]
    if buttons:
        text = flow.summary(turn) + "\n\n" + _("🕐 Choose the start time:")
    else:
        text = _("There is no free time for this service on %(day)s any more. Press Back to choose another "
                 "date.") % {"day": texts.day_text(day)}
    turn.screen(text, kb.inline([*kb.chunks(buttons, 4), kb.nav_row()]), new=new)


def pick_time(flow, turn: Turn, value: str) -> None:
    if len(value) != 4 or not value.isdigit() or int(value[:2]) > 23 or int(value[2:]) > 59:
        turn.notice(_("This button is out of date."))
        return
    day = flow.resource.day(turn)
    found = days_between(flow, turn, day, day).get(day) if day else None
    if found is None or not any(f"{local(slot.starts_at):%H%M}" == value for slot in found.slots):
        turn.notice(_("Not available."))
        turn.say(_("Sorry, that time has just been taken by someone else. Please choose another time."))
        show_time(flow, turn, new=True)
        return
    data = turn.dialog.data
    data["slot"] = value
    # After a refusal the name and phone are already given: straight to Confirm with the new time.
    ready = data.get("name") and data.get("phone")
    flow.enter(turn, "confirm" if ready else "name", new=bool(ready))


TAKEN_CODES = ("slot_taken", "held", "specialist_busy")


def refused(flow, turn: Turn, exc: BookingError) -> None:
    """A refusal at Confirm: say why, with the service's alternatives as buttons when it has some; else back
    to the day's free times (what is left of them)."""
    turn.notice(_("Not booked."))
    taken = _("Sorry, that time has just been taken by someone else.") if exc.code in TAKEN_CODES else None
    if alternatives.offer(turn, flow, exc, trail=TRAIL, clear={"slot": None}, message=taken, step="salts"):
        return
    if taken:
        turn.say(_("Sorry, that time has just been taken by someone else. Please choose another time."))
    else:
        turn.say(exc.message)
    turn.dialog.data.update(slot=None)
    turn.dialog.data["trail"] = TRAIL[:-1]
    flow.enter(turn, "stime", new=True)


def show_alternatives(flow, turn: Turn, new: bool = False) -> None:
    """🕐 25.11.2026 11:00–12:00 · Анна Смирнова, one button each."""
    service = flow.resource.service(turn)
    length = timedelta(minutes=service.duration_minutes if service else 0)
    ids = {alt.get("specialist_id") for alt in turn.dialog.data.get("alts") or []}
    names = dict(Specialist.objects.filter(pk__in=[pk for pk in ids if isinstance(pk, int)]).values_list("pk", "name"))

    def label(alt: dict) -> str:
        start = datetime.fromisoformat(alt["starts_at"])
        return f"🕐 {texts.window_text(start, start + length)} · {names.get(alt['specialist_id'], '')[:40]}"

    alternatives.show(turn, label, new=new, verb="salt")


def pick_alternative(flow, turn: Turn, value: str) -> None:
    """One tap on an alternative: its specialist, day and time are filled in, then on to Confirm (to the
    client's steps first when their name or phone is missing)."""
    alt = alternatives.chosen(turn, value)
    if alt is None:
        return
    service = flow.resource.service(turn)
    if service is None or alt.get("service_id") != service.pk or not any(
            person.pk == alt.get("specialist_id") for person in performers(service)):
        turn.notice(_("This specialist is not available for booking."))
        return
    start = local(datetime.fromisoformat(alt["starts_at"]))
    data = turn.dialog.data
    data.update(specialist=alt["specialist_id"], day=start.date().isoformat(), slot=f"{start:%H%M}", month=None)
    ready = data.get("name") and data.get("phone")
    flow.enter(turn, "confirm" if ready else "name")


STEPS = {
    "scat": Step(show=show_category, picks={"scat": pick_category}),
    "service": Step(show=show_service, picks={"svc": pick_service}),
    "specialist": Step(show=show_specialist, picks={"spec": pick_specialist}),
    "sdate": Step(show=show_date, picks={"sday": pick_day, "month": pick_month}),
    "stime": Step(show=show_time, picks={"stime": pick_time}),
    "salts": Step(show=show_alternatives, picks={"salt": pick_alternative}),
}
