from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from booking_site.outbox.services import register_consumer
        from integrations.telegram.notifications import telegram_events_consume

        register_consumer(telegram_events_consume)
