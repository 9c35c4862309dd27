from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "integrations.mail"
    label = "mail"
    verbose_name = _("E-mail")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from integrations.mail import delivery
        from integrations.mail.consumer import mail_events_consume, mail_reminders_follow_bookings
        from integrations.purge import register_purger
        from kernel import metrics
        from kernel.outbox.services import register_consumer

        register_consumer(mail_events_consume)
        register_consumer(mail_reminders_follow_bookings)
        metrics.register_scrape_hook(delivery.refresh_gauges)
        register_purger("mail_messages", delivery.done_expired)
        register_purger("calendar_invites", delivery.invites_of_deleted_bookings)
