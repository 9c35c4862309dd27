import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from integrations.audit.services import audit_export, audit_send_to_managers, parse_month, previous_month
from kernel.errors import BookingError


class Command(BaseCommand):
    help = "Write the Excel audit of a month (default: the previous month) and send it to managers."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: the previous month, clinic time)")
        parser.add_argument("--output", type=Path, help="also copy the workbook to this path")
        parser.add_argument("--no-send", action="store_true", help="do not send it to managers")

    def handle(self, *args, month=None, output=None, no_send=False, **options):
        now = timezone.now()
        try:
            month = parse_month(month) if month else previous_month(now)
        except BookingError as exc:
            raise CommandError(str(exc.message)) from exc

        def progress(sheet: str, rows: int, done: bool) -> None:
            sys.stderr.write(f"\r{sheet}: {rows} rows" + ("\n" if done else ""))
            sys.stderr.flush()

        export = audit_export(month=month, now=now, output=output, progress=progress)
        sent = [] if no_send else audit_send_to_managers(export=export, now=now)
        self.stdout.write(f"audit {month:%Y-%m}: {export.file.name} sha256={export.sha256} rows={export.row_counts}"
                          + (f" copied to {output}" if output else "")
                          + f"; deliveries to managers: {len(sent)}")
