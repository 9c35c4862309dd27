from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from integrations import consumers, delivery, heartbeat, schedule
        from integrations.checks import telegram_webhook_secret_check
        from integrations.telegram.notifications import telegram_events_consume
        from kernel import metrics
        from kernel.outbox.services import register_consumer

        # Rendered and attempted at once; what could not be sent is handed to the worker from there.
        register_consumer(telegram_events_consume)
        register_consumer(consumers.reminders_follow_bookings)
        metrics.register_scrape_hook(delivery.refresh_dead_letter_gauge)
        metrics.register_scrape_hook(delivery.refresh_pending_gauges)
        metrics.register_scrape_hook(heartbeat.refresh_heartbeat_gauge)
        post_migrate.connect(schedule.beat_schedule_install, sender=self)
        checks.register(telegram_webhook_secret_check, checks.Tags.security)
