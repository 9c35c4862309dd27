"""iCalendar (RFC 5545) for bookings, built with the `icalendar` library.

Every booking is one event with a stable UID; a move keeps the UID and raises SEQUENCE (the number of
changes in the booking's history), a cancellation or rejection keeps the event with STATUS:CANCELLED, so
calendar apps update or remove the copy they have. Cabinet bookings are timed events in the clinic's zone,
which the calendar describes in a VTIMEZONE; whole-day equipment bookings are DATE events. The same event goes
out by e-mail as an invitation (`invitation`): METHOD:REQUEST to add or update it, METHOD:CANCEL to remove it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from booking_site.logging import mask_name, mask_phone
from integrations.texts import status_label
from kernel.bookings import Status
from kernel.clock import clinic_zone
from kernel.contacts import format_phone

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//Clinic booking//Calendar feeds//EN"
ICAL_STATUS = {Status.PENDING: "TENTATIVE", Status.APPROVED: "CONFIRMED", Status.COMPLETED: "CONFIRMED",
               Status.NO_SHOW: "CONFIRMED", Status.CANCELLED: "CANCELLED", Status.REJECTED: "CANCELLED"}


def uid_domain() -> str:
    return urlsplit(settings.PUBLIC_URL).hostname or "clinic-booking"


def uid(kind: str, booking_id: int) -> str:
    return f"{kind}-booking-{booking_id}@{uid_domain()}"


def _status_text(status: str) -> str:
    return status_label(status)


def _common(event: Event, booking, *, kind: str, sequence: int) -> None:
    event.add("uid", uid(kind, booking.pk))
    event.add("dtstamp", booking.updated_at)
    event.add("created", booking.created_at)
    event.add("last-modified", booking.updated_at)
    event.add("sequence", max(0, sequence))
    event.add("status", ICAL_STATUS.get(booking.status, "CONFIRMED"))
    if booking.status in (Status.CANCELLED, Status.REJECTED):
        event.add("transp", "TRANSPARENT")


def cabinet_event(booking, *, sequence: int, names: str = "owner") -> Event:
    from icalendar import Event  # imported where used: most processes never build a calendar (a few MB)

    """`names`: "owner" (the client's own calendar), "full" (a manager's) or "masked" (staff)."""
    zone = clinic_zone()
    event = Event()
    _common(event, booking, kind="cabinet", sequence=sequence)
    title = _("%(cabinet)s, booking %(ref)s") % {"cabinet": booking.cabinet.name, "ref": booking.reference}
    lines = [_("Status: %(status)s") % {"status": _status_text(booking.status)}]
    if names != "owner":
        client = booking.client_name if names == "full" else mask_name(booking.client_name)
        title = f"{client} · {booking.reference}"
        phone = format_phone(booking.client_phone) if names == "full" else mask_phone(booking.client_phone)
        lines.append(_("Client: %(name)s, %(phone)s") % {"name": client, "phone": phone})
        if booking.client_confirmed_at:
            lines.append(_("The client confirmed the visit."))
    equipment = [f"{line.item.name} × {line.units}" for line in booking.equipment_bookings.all()
                 if line.status not in (Status.CANCELLED, Status.REJECTED)]
    if equipment:
        lines.append(_("Equipment: %(items)s") % {"items": ", ".join(equipment)})
    event.add("summary", title)
    event.add("dtstart", timezone.localtime(booking.starts_at, zone))
    event.add("dtend", timezone.localtime(booking.ends_at, zone))
    event.add("location", ", ".join(p for p in (booking.cabinet.name, booking.cabinet.address) if p))
    event.add("description", "\n".join(lines))
    return event


def equipment_event(booking, *, sequence: int) -> Event:
    from icalendar import Event

    event = Event()
    _common(event, booking, kind="equipment", sequence=sequence)
    event.add("summary", _("%(item)s × %(units)s, booking %(ref)s") % {
        "item": booking.item.name, "units": booking.units, "ref": booking.reference})
    event.add("dtstart", booking.start_date)
    event.add("dtend", booking.end_date + timedelta(days=1))  # DTEND of a DATE event is exclusive
    event.add("description", _("Status: %(status)s") % {"status": _status_text(booking.status)})
    return event


def calendar(events: list[Event], *, name: str) -> bytes:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(clinic_zone()))
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for event in events:
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def booking_ics(booking, *, kind: str, language: str, sequence: int) -> bytes:
    """One booking as a calendar of one event: the attachment of a confirmation."""
    with translation.override(language):
        event = cabinet_event(booking, sequence=sequence) if kind == "cabinet" else equipment_event(
            booking, sequence=sequence)
        return calendar([event], name=_("Clinic bookings"))


def invitation(event: Event, *, method: str, stamp: datetime, organizer: str, organizer_name: str, attendee: str,
               attendee_name: str) -> bytes:
    """One booking's event as an iTIP message (RFC 5546) for e-mail: METHOD:REQUEST adds or updates it,
    METHOD:CANCEL (its STATUS CANCELLED) removes it. The clinic organises it; the client attends and is
    asked nothing (they booked it themselves)."""
    from icalendar import Calendar, vCalAddress

    del event["DTSTAMP"]
    event.add("dtstamp", stamp)
    clinic = vCalAddress(f"mailto:{organizer}")
    clinic.params["CN"] = organizer_name
    event.add("organizer", clinic)
    client = vCalAddress(f"mailto:{attendee}")
    client.params.update({"CN": attendee_name, "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"})
    event.add("attendee", client)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
