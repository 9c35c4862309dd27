from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "booking_site.outbox"
    label = "outbox"
    verbose_name = "Outbox"
