"""What the e-mails say: the subject and the text of each kind of message, in the language active when they are
rendered. A booking is described with the words every door uses (integrations.texts); an appointment is named by
its service and specialist."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from integrations import texts
from integrations.mail.models import MailMessage
from kernel.bookings import Status

Kind = MailMessage.Kind
CABINET = "cabinet"


def is_appointment(resource_type: str, booking) -> bool:
    return resource_type == CABINET and bool(getattr(booking, "service_id", None))


def booking_what(resource_type: str, booking) -> str:
    """The item with its units, the cabinet, or an appointment's service."""
    if is_appointment(resource_type, booking):
        return booking.service.name
    return texts.booking_title(resource_type, booking)


def subject(kind: str, *, resource_type: str, booking) -> str:
    values = {"ref": booking.reference, "what": booking_what(resource_type, booking),
              "when": texts.booking_when(resource_type, booking)}
    template = {
        Kind.RECEIVED: _("Request %(ref)s received: %(what)s, %(when)s"),
        Kind.CONFIRMED: _("Booking %(ref)s confirmed: %(what)s, %(when)s"),
        Kind.MOVED: _("Booking %(ref)s moved: %(what)s, %(when)s"),
        Kind.CANCELLED: _("Booking %(ref)s cancelled: %(what)s, %(when)s"),
        Kind.REJECTED: _("Request %(ref)s declined: %(what)s, %(when)s"),
        Kind.EXPIRED: _("Request %(ref)s cancelled: %(what)s, %(when)s"),
        Kind.REMINDER: _("Reminder: %(what)s, %(when)s (booking %(ref)s)"),
    }[kind]
    return template % values


def headline(kind: str, booking) -> str:
    ref = {"ref": booking.reference}
    return {
        Kind.RECEIVED: _("We have received your request %(ref)s. A manager will confirm it, and we will write to "
                         "you when they do."),
        Kind.CONFIRMED: _("Your booking %(ref)s is confirmed."),
        Kind.MOVED: _("Your booking %(ref)s has been moved. The new details:"),
        Kind.CANCELLED: _("Your booking %(ref)s is cancelled."),
        Kind.REJECTED: _("Sorry, your request %(ref)s is declined."),
        Kind.EXPIRED: _("Your request %(ref)s was not confirmed in time and is cancelled."),
        Kind.REMINDER: _("A reminder of your booking %(ref)s."),
    }[kind] % ref


def detail_lines(resource_type: str, booking) -> list[str]:
    """The booking, one fact a line."""
    lines = [_("Booking: %(ref)s") % {"ref": booking.reference}]
    if is_appointment(resource_type, booking):
        lines.append(_("Service: %(service)s") % {"service": booking.service.name})
        if booking.specialist_id:
            lines.append(_("Specialist: %(name)s") % {"name": booking.specialist.name})
        lines.append(_("Cabinet: %(cabinet)s") % {"cabinet": booking.cabinet.name})
    elif resource_type == CABINET:
        lines.append(_("Cabinet: %(cabinet)s") % {"cabinet": booking.cabinet.name})
    else:
        lines.append(_("Equipment: %(items)s") % {"items": texts.booking_title(resource_type, booking)})
    lines.append(_("When: %(when)s") % {"when": texts.booking_when(resource_type, booking)})
    if resource_type == CABINET:
        if booking.cabinet.address:
            lines.append(_("Address: %(address)s") % {"address": booking.cabinet.address})
        equipment = [texts.units_text(line.item.name, line.units) for line in booking.equipment_bookings.all()
                     if line.status not in (Status.CANCELLED, Status.REJECTED)]
        if equipment:
            lines.append(_("Equipment: %(items)s") % {"items": ", ".join(equipment)})
    lines.append(_("Status: %(status)s") % {"status": texts.status_label(booking.status)})
    if booking.status_reason and booking.status in (Status.CANCELLED, Status.REJECTED):
        lines.append(_("Reason: %(reason)s") % {"reason": booking.status_reason})
    return lines


def body(kind: str, *, resource_type: str, booking, name: str, cancels: bool) -> str:
    """The plain text of the message; the invitation travels beside it."""
    lines = [_("Hello, %(name)s!") % {"name": name} if name else _("Hello!"), "", headline(kind, booking), "",
             *detail_lines(resource_type, booking), ""]
    if cancels:
        lines.append(_("The attached calendar update removes the booking from your calendar."))
    else:
        lines.append(_("The attached invitation puts the booking in your calendar; every change we send "
                       "updates it there."))
    if settings.MANAGER_CONTACTS:
        lines += ["", _("Questions: %(contacts)s") % {"contacts": settings.MANAGER_CONTACTS}]
    lines += ["", _("This message was sent automatically.")]
    return "\n".join(lines) + "\n"


def organizer_name() -> str:
    return _("Clinic booking")
