from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "integrations.webhooks"
    label = "webhooks"
    verbose_name = _("Partner webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from integrations.purge import register_purger
        from integrations.webhooks import delivery
        from integrations.webhooks.consumer import webhook_events_consume
        from kernel import metrics
        from kernel.outbox.services import register_consumer

        register_consumer(webhook_events_consume)
        metrics.register_scrape_hook(delivery.refresh_dead_letter_gauge)
        register_purger("webhook_deliveries", delivery.delivered_expired)
