"""The .ics that goes with a confirmation (and with a move): a document right after the message, as one more
Delivery of the same event, so it is retried and deduplicated like the message itself."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from integrations.calendar.services import booking_attachment
from integrations.delivery import delivery_enqueue


def calendar_attachment_enqueue(*, event, booking, bot: str, client, now) -> list[int]:
    kind = event.resource_type
    with translation.override(client.language):
        caption = _("📅 Add booking %(ref)s to your calendar.") % {"ref": booking.reference}
    delivery = delivery_enqueue(
        bot=bot, chat_id=client.telegram_id, now=now, event_id=event.pk, method="sendDocument",
        dedupe_key=f"event:{event.pk}:client:{client.telegram_id}:ics",
        payload={"caption": caption, "filename": f"booking-{booking.pk}.ics", "mime_type": "text/calendar",
                 "document_text": booking_attachment(kind=kind, booking=booking,
                                                     language=client.language).decode()},
    )
    return [delivery.pk] if delivery is not None else []
