"""What the page template needs: its texts in the page's language (the script shows no word of its own),
the API root and where the bots are."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from integrations import texts
from integrations.addresses import bot_links


def _texts() -> dict[str, str]:
    return {
        "equipment": _("Equipment"),
        "cabinets": _("Cabinets"),
        "my_bookings": _("My bookings"),
        "choose_item": _("Choose the equipment"),
        "free_of": _("%(free)s of %(total)s free"),
        "pick_start": _("Tap the first day, then the last day."),
        "pick_end": _("Now tap the last day (or the same day again)."),
        "units": _("Units"),
        "continue": _("Continue"),
        "day": _("Day"),
        "previous_day": _("Previous day"),
        "next_day": _("Next day"),
        "closed": _("Closed"),
        "pick_slot": _("Tap a free start time under a cabinet."),
        "no_free_time": _("No free time on this day."),
        "duration": _("Duration"),
        "no_equipment": str(texts.NO_EQUIPMENT),
        "with_equipment": _("Equipment for this time"),
        "busy": _("busy"),
        "free_n": _("%(n)s free"),
        "summary": _("Your booking"),
        "client_name": _("Client's name"),
        "client_phone": _("Phone"),
        "client_email": _("E-mail (optional)"),
        "client_birthday": _("Date of birth (optional, asked only once)"),
        "comment": _("Comment (optional)"),
        "confirm": str(texts.CONFIRM),
        "back": str(texts.BACK),
        "cancel": str(texts.CANCEL),
        "cancel_booking": _("Cancel booking"),
        "cancel_question": _("Cancel this booking?"),
        "booked_pending": _("Request %(ref)s is sent. A manager will confirm it; the bot will tell you."),
        "booked_approved": _("Booking %(ref)s is confirmed."),
        "cancelled": _("Booking %(ref)s is cancelled."),
        "booked_awaiting": _("Booking %(ref)s holds its place until %(time)s: pay to keep it."),
        "pay_by": _("Pay %(amount)s by %(time)s"),
        "pay": _("Pay"),
        "pay_from_wallet": _("Pay from wallet"),
        "payment_received": _("Payment received. Confirming the booking…"),
        "payment_pending": _("The payment is being processed. The booking will update in a moment."),
        "payment_cancelled": _("The payment was not made. You can still pay until %(time)s."),
        "not_paid": _("Booking %(ref)s is cancelled: it was not paid."),
        "no_bookings": _("You have no bookings yet."),
        "wallet": _("💰 Wallet: %(amount)s"),
        "wallets": _("💰 Wallets:"),
        "package": _("🎫 Package «%(service)s»: %(remaining)s of %(sessions)s sessions left, valid until %(day)s"),
        "read_only": _("This page shows free equipment and cabinets. To book, open it from the clinic's "
                       "Telegram bot."),
        "open_bot": _("Open the bot"),
        "blocked": _("Booking is not available for your account."),
        "alternatives": _("You could book instead:"),
        "join_waitlist": str(texts.JOIN_WAITLIST),
        "leave_waitlist": str(texts.LEAVE_WAITLIST),
        "no_thanks": str(texts.NO_THANKS),
        "book": str(texts.BOOK),
        "waits": _("Waitlist"),
        "on_waitlist": _("You are on the waitlist, number %(n)s in line. When it is free it is held for you and "
                         "the bot tells you."),
        "offered_until": _("Free and held for you until %(time)s."),
        "position": _("Number %(n)s in line"),
        "error": _("Something went wrong. Please try again."),
        "loading": _("Loading…"),
        "month_prev": "‹",
        "month_next": "›",
        "weekdays": _("Mo Tu We Th Fr Sa Su"),
        "minutes": _("%(n)s min"),
        "hours": _("%(n)s h"),
        "hours_minutes": _("%(h)s h %(m)s min"),
        "services": _("Services"),
        "choose_category": _("Choose a kind of service"),
        "choose_specialist": _("Choose a specialist"),
        "any_specialist": _("Any specialist"),
        "choose_day": _("Choose a day"),
        "choose_time": _("Choose a time"),
        "no_services": _("No services can be booked now."),
        "with_specialist": _("Specialist: %(name)s"),
        "in_cabinet": _("Cabinet: %(name)s"),
        "book_another": _("Book another service"),
        "reason_holiday": _("The clinic is closed"),
        "reason_closed": _("Closed"),
        "reason_day_off": _("No specialist works this day"),
        "reason_no_capacity": _("The equipment is out"),
        "reason_booked": _("Everything is booked"),
    }


def page_context(request: HttpRequest, *, language: str) -> dict:
    tab = request.GET.get("tab")
    return {
        "language": language,
        "config": {
            "api": reverse("webapp:catalogue").rsplit("/", 1)[0],
            "language": language,
            "tab": tab if tab in ("equipment", "cabinets", "services", "bookings") else "equipment",
            "bots": bot_links(),
            "texts": _texts(),
        },
    }
