from django.urls import path

from integrations.webapp import views
from integrations.webapp.framing import frameable_by_telegram

app_name = "webapp"

urlpatterns = [
    path("app/", frameable_by_telegram(views.page), name="page"),
    path("app/api/catalogue", views.catalogue, name="catalogue"),
    path("app/api/equipment/<int:item_id>/month", views.equipment_month, name="equipment-month"),
    path("app/api/cabinets/day", views.cabinets_day, name="cabinets-day"),
    path("app/api/cabinets/<int:cabinet_id>/equipment", views.cabinet_equipment, name="cabinet-equipment"),
    path("app/api/me", views.me, name="me"),
    path("app/api/bookings", views.book, name="book"),
    path("app/api/quote", views.quote, name="quote"),
    path("app/api/bookings/<str:kind>/<int:booking_id>", views.booking, name="booking"),
    path("app/api/bookings/<str:kind>/<int:booking_id>/cancel", views.cancel, name="cancel"),
    path("app/api/bookings/<str:kind>/<int:booking_id>/invoice", views.invoice, name="invoice"),
    path("app/api/bookings/<str:kind>/<int:booking_id>/pay-from-wallet", views.pay_from_wallet,
         name="pay-from-wallet"),
    path("app/api/payments/<str:payload>/failed", views.payment_failed, name="payment-failed"),
    path("app/api/services", views.service_catalogue, name="services"),
    path("app/api/services/<int:service_id>/days", views.service_days, name="service-days"),
    path("app/api/appointments", views.book_service, name="book-service"),
    path("app/api/waitlist", views.waitlist_join, name="waitlist-join"),
    path("app/api/waitlist/<int:wait_id>/<str:action>", views.waitlist_action, name="waitlist-action"),
]
