"""`manage.py backup`: a backup of the database (pg_dump custom format on PostgreSQL, SQLite's online backup
API on SQLite), then the oldest ones beyond --keep removed. Progress goes to stderr, the file name to stdout."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from booking_site.backups import BackupError, backup_path, backup_write, backups_prune, engine_of
from booking_site.private_files import private_directory


class Command(BaseCommand):
    help = ("Back up the database into a directory (a timestamped file, the newest --keep kept) or to a file "
            "path ending in .dump (PostgreSQL) or .sqlite3 (SQLite).")

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(settings.VAR_DIR / "backups"),
                            help="directory (default VAR_DIR/backups) or file path of the backup")
        parser.add_argument("--keep", type=int, default=14,
                            help="backups to keep in the output directory, the newest first (0: keep all)")

    def handle(self, *args, output: str, keep: int, **options):
        progress = self.stderr.write
        output_path = Path(output)
        try:
            engine = engine_of(connections["default"].settings_dict)
            if output_path.suffix in (".dump", ".sqlite3"):
                path, directory = output_path, None
            else:
                directory = output_path
                private_directory(directory)  # 0700: the dumps hold secrets, hashes and clients' phones
                path = backup_path(directory, engine, now=timezone.now())
            backup_write(path=path, progress=progress)
            if directory is not None:
                backups_prune(directory, keep=keep, progress=progress)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
