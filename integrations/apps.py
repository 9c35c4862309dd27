from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from booking_site import metrics
        from booking_site.outbox.services import register_consumer
        from integrations import consumers, delivery, schedule

        register_consumer(consumers.reminders_follow_bookings)
        register_consumer(consumers.events_to_worker)
        metrics.register_scrape_hook(delivery.refresh_dead_letter_gauge)
        post_migrate.connect(schedule.beat_schedule_install, sender=self)
