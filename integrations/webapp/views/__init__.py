"""The booking page and the JSON it reads. Thin like every interface: parse the shape (the partner API's
fields and serializers, in webapp/shapes.py), call the apps' calculators and services, render. Availability
is open to anyone who opens the page; everything personal, and every write, needs initData signed by one of
the bots."""

from integrations.webapp.views.availability import cabinet_equipment, cabinets_day, catalogue, equipment_month, page
from integrations.webapp.views.bookings import book, cancel, me
from integrations.webapp.views.payments import booking, invoice, pay_from_wallet, payment_failed
from integrations.webapp.views.prices import quote
from integrations.webapp.views.services import book_service, service_catalogue, service_days
from integrations.webapp.views.waitlist import waitlist_action, waitlist_join

__all__ = [
           "book",
           "book_service",
           "booking",
           "cabinet_equipment",
           "cabinets_day",
           "cancel",
           "catalogue",
           "equipment_month",
           "invoice",
           "me",
           "page",
           "pay_from_wallet",
           "payment_failed",
           "quote",
           "service_catalogue",
           "service_days",
           "waitlist_action",
           "waitlist_join",
]
