"""What the doors say: the bots, the booking page and the calendar feeds read their shared words here (button
labels, status names, dates and windows, a booking's card lines). Every text is translatable (Russian by
default, English for English-speaking users); dates and times are shown in the clinic's time zone. One
vocabulary for every door (DESIGN.md §6)."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kernel.bookings import Status
from kernel.clock import clinic_zone
from kernel.contacts import format_phone
from kernel.pricing.labels import price_text
from kernel.waitlist.services import wait_resource_name

# Button labels. Lazy, so each is rendered in the language of whoever reads it.
BOOK = gettext_lazy("📋 Book")
BOOK_SERVICE = gettext_lazy("🩺 Book a service")
MY_BOOKINGS = gettext_lazy("📊 My bookings")
SCHEDULE = gettext_lazy("📅 Schedule")
CATALOGUE = gettext_lazy("💼 Catalogue")
CONTACTS = gettext_lazy("📞 Manager contacts")
HELP = gettext_lazy("ℹ️ Help")
REMINDERS = gettext_lazy("🔔 Reminders")
PENDING = gettext_lazy("📥 Pending")
TODAY = gettext_lazy("🗓 Today")
TOMORROW = gettext_lazy("🗓 Tomorrow")
BACK = gettext_lazy("⬅️ Back")
CANCEL = gettext_lazy("❌ Cancel")
CONFIRM = gettext_lazy("✅ Confirm")
SKIP = gettext_lazy("Skip")
SINGLE_DAY = gettext_lazy("Single day")
NO_EQUIPMENT = gettext_lazy("No equipment")
APPROVE = gettext_lazy("✅ Approve")
REJECT = gettext_lazy("❌ Reject")
NO_REASON = gettext_lazy("Reject without a reason")
OPEN = gettext_lazy("Open")
SHARE_PHONE = gettext_lazy("📱 Share my phone")
YES_CANCEL = gettext_lazy("Yes, cancel it")
BOOK_THIS = gettext_lazy("📋 Book this item")
OPEN_PAGE = gettext_lazy("🌐 Open the booking page")
JOIN_WAITLIST = gettext_lazy("🕒 Join the waitlist")
NO_THANKS = gettext_lazy("No, thanks")
LEAVE_WAITLIST = gettext_lazy("Leave the waitlist")
PAGE_MENU_BUTTON = gettext_lazy("Book")
PREV_MONTH = "‹"
NEXT_MONTH = "›"
PREV_PAGE = "«"
NEXT_PAGE = "»"

WEEKDAYS = [pgettext_lazy("weekday", "Mo"), pgettext_lazy("weekday", "Tu"), pgettext_lazy("weekday", "We"),
            pgettext_lazy("weekday", "Th"), pgettext_lazy("weekday", "Fr"), pgettext_lazy("weekday", "Sa"),
            pgettext_lazy("weekday", "Su")]
MONTHS = [gettext_lazy("January"), gettext_lazy("February"), gettext_lazy("March"), gettext_lazy("April"),
          gettext_lazy("May"), gettext_lazy("June"), gettext_lazy("July"), gettext_lazy("August"),
          gettext_lazy("September"), gettext_lazy("October"), gettext_lazy("November"), gettext_lazy("December")]

STATUS_EMOJI = {Status.AWAITING_PAYMENT: "💳",
                Status.PENDING: "⏳", Status.APPROVED: "✅", Status.REJECTED: "❌", Status.CANCELLED: "🚫",
                Status.COMPLETED: "🏁", Status.NO_SHOW: "🚷"}


def status_label(status: str) -> str:
    return {
        Status.AWAITING_PAYMENT: _("waiting for payment"),
        Status.PENDING: _("waiting for confirmation"),
        Status.APPROVED: _("approved"),
        Status.REJECTED: _("rejected"),
        Status.CANCELLED: _("cancelled"),
        Status.COMPLETED: _("completed"),
        Status.NO_SHOW: _("no-show"),
    }.get(status, status)


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment, clinic_zone())


def day_text(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def hhmm(moment: datetime) -> str:
    return local(moment).strftime("%H:%M")


def month_title(year: int, month: int) -> str:
    return f"{MONTHS[month - 1]} {year}"


def duration_text(minutes: int) -> str:
    """30 min, 1 h, 1 h 30 min."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)s h") % {"h": hours}
    return _("%(m)s min") % {"m": rest}


def dates_text(start: date, end: date) -> str:
    return day_text(start) if start == end else f"{day_text(start)} – {day_text(end)}"


def window_text(starts_at: datetime, ends_at: datetime) -> str:
    return f"{day_text(local(starts_at).date())} {hhmm(starts_at)}–{hhmm(ends_at)}"


def units_text(name: str, units: int) -> str:
    """An item and how many of its units: "ECG", "ECG × 2"."""
    return name + (f" × {units}" if units > 1 else "")


def booking_title(kind: str, booking) -> str:
    """What a booking is for, in one line: the item with its units, or the cabinet."""
    if kind == "equipment":
        return units_text(booking.item.name, booking.units)
    return booking.cabinet.name


def booking_when(kind: str, booking) -> str:
    """When a booking is, in one line: its days, or its window."""
    if kind == "equipment":
        return dates_text(booking.start_date, booking.end_date)
    return window_text(booking.starts_at, booking.ends_at)


def equipment_lines(booking) -> list[str]:
    """The equipment taken with a cabinet booking, one line each."""
    return [units_text(line.item.name, line.units) for line in booking.equipment_bookings.all()]


def wait_title(wait) -> str:
    """What a wait waits for: a resource's name, with the units of a whole-day wait."""
    name = wait_resource_name(wait)
    return units_text(name, wait.units) if wait.starts_at is None else name


def wait_when(wait) -> str:
    if wait.starts_at is None:  # whole days
        return dates_text(wait.start_date, wait.end_date)
    return window_text(wait.starts_at, wait.ends_at)


def greeting(is_manager: bool) -> str:
    text = _("Welcome! Choose an action below.")
    if is_manager:
        text += "\n" + _("You are a manager: new requests come to you here with Approve and Reject buttons.")
    return text


def help_text(bot: str, is_manager: bool) -> str:
    lines = [_("Commands:"), "/book — " + _("new booking"), "/my_bookings — " + _("your bookings"),
             "/cancel — " + _("stop the current dialog"), "/reminders — " + _("turn reminders on or off"),
             "/wallet — " + _("your wallet balance")]
    if bot == "cabinet":
        lines.append("/cancel_booking C-12 — " + _("cancel one of your bookings"))
        lines.append("/schedule — " + _("for specialists: your appointments today and tomorrow"))
    if is_manager:
        lines += ["", _("For managers:"), "/pending — " + _("requests waiting for a decision"),
                  "/today, /tomorrow — " + _("the day's schedule"),
                  "/block <Telegram id> [reason], /unblock <Telegram id> — " + _("the blocklist"),
                  _("Bookings you make for a client by phone are approved at once.")]
    return "\n".join(lines)


def contacts_text() -> str:
    return _("📞 Manager contacts:") + "\n" + (settings.MANAGER_CONTACTS or _("not configured yet"))


def price_lines(price) -> list[str]:
    """A price on a card, in one line ("💰 УЗИ 2 500 ₽ · скидка в день рождения −12 % −300 ₽ · итого 2 200 ₽");
    nothing when nothing is priced (no price, or a price without lines)."""
    if price is None or not price.lines:
        return []
    return ["💰 " + price_text(price)]


def equipment_card(booking, *, for_manager: bool = False, price=None) -> str:
    """A booking's card; `price` its stored price (kernel.pricing), shown when it has lines."""
    lines = [f"{STATUS_EMOJI.get(booking.status, '')} " + _("Booking %(ref)s") % {"ref": booking.reference},
             "🏢 " + booking_title("equipment", booking),
             "📅 " + booking_when("equipment", booking),
             *price_lines(price),
             "📊 " + status_label(booking.status)]
    if for_manager:
        lines += ["👤 " + booking.client_name, "📱 " + format_phone(booking.client_phone)]
        if booking.comment:
            lines.append("💬 " + booking.comment)
    if booking.status_reason and booking.status in (Status.REJECTED, Status.CANCELLED):
        lines.append("📝 " + booking.status_reason)
    return "\n".join(lines)


def appointment_lines(booking) -> list[str]:
    """A cabinet booking for a service names the service and its specialist."""
    if not getattr(booking, "service_id", None):
        return []
    specialist = booking.specialist.name if booking.specialist_id else ""
    return ["🩺 " + booking.service.name + (f" · 👩‍⚕️ {specialist}" if specialist else "")]


def cabinet_card(booking, *, for_manager: bool = False, price=None) -> str:
    equipment = ", ".join(equipment_lines(booking)) or str(NO_EQUIPMENT)
    lines = [f"{STATUS_EMOJI.get(booking.status, '')} " + _("Booking %(ref)s") % {"ref": booking.reference},
             "🚪 " + booking_title("cabinet", booking),
             *appointment_lines(booking),
             "📅 " + booking_when("cabinet", booking),
             "🛠 " + equipment,
             *price_lines(price),
             "📊 " + status_label(booking.status)]
    if for_manager:
        lines += ["👤 " + booking.client_name, "📱 " + format_phone(booking.client_phone)]
    if booking.status_reason and booking.status in (Status.REJECTED, Status.CANCELLED):
        lines.append("📝 " + booking.status_reason)
    return "\n".join(lines)


MAX_MESSAGE_CHARS = 4096  # Telegram's limit for one message


def split_message(lines: list[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Join lines into as few messages as fit Telegram's limit, breaking only between lines (a line longer
    than the limit is cut)."""
    messages, current = [], ""
    for line in lines:
        line = line[:limit]
        if current and len(current) + 1 + len(line) > limit:
            messages.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        messages.append(current)
    return messages
