from django.core.management.base import BaseCommand
from django.utils import timezone

from integrations.purge import purge_expired


class Command(BaseCommand):
    help = "Delete expired data: old audited bookings, slot holds, delivered outbox rows, idempotency keys."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")

    def handle(self, *args, dry_run=False, **options):
        counts = purge_expired(now=timezone.now(), dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for name, count in counts.items():
            self.stdout.write(f"{name}: {verb} {count}")
