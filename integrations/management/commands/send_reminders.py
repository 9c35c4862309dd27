from django.core.management.base import BaseCommand
from django.utils import timezone

from integrations.delivery import deliveries_send_due
from integrations.reminders import reminders_send_due


class Command(BaseCommand):
    help = "Queue every reminder that is due now and send it (one sweep; safe to run any time)."

    def handle(self, *args, **options):
        queued = reminders_send_due(now=timezone.now())
        counts = deliveries_send_due(budget_seconds=120, linger_seconds=2) if queued else {}
        self.stdout.write(f"reminders queued: {len(queued)}; deliveries: {counts or 'none due'}")
