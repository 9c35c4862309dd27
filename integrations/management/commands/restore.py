"""`manage.py restore PATH`: restore a backup made by `manage.py backup`, into a scratch database for a restore
drill (--target URL, which must be empty) or over the configured database (--clean; stop web, worker and beat
first). Prints the rows per table of the restored database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from booking_site.backups import BackupError, backup_restore, database_from_url, row_counts


class Command(BaseCommand):
    help = "Restore a backup into --target (a fresh database URL) or, with --clean, over the configured one."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .dump (PostgreSQL) or .sqlite3 (SQLite) file from manage.py backup")
        parser.add_argument("--target", default="",
                            help="database URL to restore into (postgres://…/scratch or sqlite:///path); "
                                 "default: the configured database, which needs --clean")
        parser.add_argument("--clean", action="store_true",
                            help="drop what the target holds first (needed to restore over a database)")

    def handle(self, *args, path: str, target: str, clean: bool, **options):
        if target:
            database = database_from_url(target)
        else:
            if not clean:
                raise CommandError("Restoring over the configured database replaces everything in it: "
                                   "pass --clean (after stopping web, worker and beat), or --target URL.")
            database = connections["default"].settings_dict
            connections["default"].close()
        try:
            backup_restore(path=Path(path), target=database, clean=clean, progress=self.stderr.write)
            counts = row_counts(database)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        for table, count in counts.items():
            self.stdout.write(f"{table}\t{count}")
