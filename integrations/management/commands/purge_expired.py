from django.core.management.base import BaseCommand
from django.utils import timezone

from integrations.purge import purge_expired


class Command(BaseCommand):
    help = ("Delete expired data: old audited bookings, slot holds, delivered outbox rows, idempotency keys; "
            "anonymise clients with nothing left to keep.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")

    def handle(self, *args, dry_run=False, **options):
        counts = purge_expired(now=timezone.now(), dry_run=dry_run)
        for name, count in counts.items():
            anonymises = name == "clients_anonymised"
            verb = ("would anonymise" if anonymises else "would delete") if dry_run else (
                "anonymised" if anonymises else "deleted")
            self.stdout.write(f"{name}: {verb} {count}")
