from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from integrations.sheets.client import SheetsUnavailable
from integrations.sheets.sync import sheets_sync


class Command(BaseCommand):
    help = "Bring the Google spreadsheet up to date (apply new changes, or rewrite everything with --full)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rewrite both sheets from the database")

    def handle(self, *args, full=False, **options):
        if not settings.GOOGLE_SHEETS_ENABLED:
            self.stdout.write("Google Sheets is not configured (set GOOGLE_CREDENTIALS_FILE and "
                              "GOOGLE_SPREADSHEET_ID); nothing to do.")
            return
        try:
            result = sheets_sync(now=timezone.now(), full=full)
        except SheetsUnavailable as exc:
            raise CommandError(f"{exc}; the next run will retry.") from exc
        self.stdout.write(f"sheets synced: {result}")
