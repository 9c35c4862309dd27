"""Backups of the database and their restore: pg_dump's custom format on PostgreSQL, SQLite's online backup
API on SQLite (consistent while the app keeps writing). Used by `manage.py backup` and `manage.py restore`;
docs/operations.md has the schedule and the restore drill."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import environ
from django.apps import apps
from django.db import connections
from django.utils import timezone

from booking_site.private_files import private_directory, private_file

PREFIX = "booking-"
SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}
Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why."""


def engine_of(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"backups support PostgreSQL and SQLite, not {engine}")


def database_from_url(url: str) -> dict:
    """Connection settings for a target database given as a URL (postgres://… or sqlite:///path)."""
    config = environ.Env.db_url_config(url)
    config.setdefault("ENGINE", "")
    return config


def _pg_env(settings_dict: dict) -> tuple[list[str], dict]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(argv: list[str], env: dict, stdout=subprocess.DEVNULL) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} is not installed (Debian: postgresql-client)")
    # umask: any file the tool makes itself is private too.
    result = subprocess.run(argv, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True, umask=0o077)
    if result.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {result.stderr.strip()[-1000:]}")


def backup_path(directory: Path, engine: str, *, now: datetime) -> Path:
    """`booking-2026-12-06T0300+0300.dump`: the clinic's wall-clock time (TIME_ZONE) with its offset, as the
    cron line that made it reads, and unambiguous across a DST change. Older backups were named in UTC
    (`booking-20261206-000000.dump`); pruning keeps recognising both."""
    stamp = timezone.localtime(now).strftime("%Y-%m-%dT%H%M%z")
    path = directory / f"{PREFIX}{stamp}{SUFFIXES[engine]}"
    n = 1
    while path.exists():  # two backups in one minute
        path = directory / f"{PREFIX}{stamp}-{n}{SUFFIXES[engine]}"
        n += 1
    return path


def backup_write(*, path: Path, alias: str = "default", progress: Progress = lambda _m: None) -> int:
    """Write a backup of the database `alias` to `path` (through a temporary file, renamed when complete).
    Returns its size in bytes. The file is 0600 from its first byte, and a folder made for it 0700."""
    settings_dict = connections[alias].settings_dict
    engine = engine_of(settings_dict)
    private_directory(path.parent, narrow_existing=False)  # `manage.py backup` narrows its own folder
    partial = path.with_name(path.name + ".partial")
    started = time.monotonic()
    progress(f"backing up {engine} database {settings_dict['NAME']} to {path}")
    try:
        partial.unlink(missing_ok=True)
        with private_file(partial) as handle:
            if engine == "postgresql":
                args, env = _pg_env(settings_dict)
                _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args,
                      str(settings_dict["NAME"])], env, stdout=handle)
        if engine != "postgresql":
            _sqlite_copy(Path(settings_dict["NAME"]), partial, progress)  # into the empty private file
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    size = path.stat().st_size
    progress(f"wrote {size} bytes in {time.monotonic() - started:.1f} s")
    return size


def _sqlite_copy(source: Path, target: Path, progress: Progress) -> None:
    """SQLite's online backup: a consistent copy even while other connections write."""
    if not source.exists():
        raise BackupError(f"no SQLite database at {source}")
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        def step(_status, remaining, total):
            progress(f"  {total - remaining}/{total} pages")

        src.backup(dst, pages=1024, progress=step)
    finally:
        dst.close()
        src.close()


def backups_prune(directory: Path, *, keep: int, progress: Progress = lambda _m: None) -> list[Path]:
    """Keep the `keep` newest backups in `directory` (only files this module names), delete the rest."""
    found = [p for p in directory.glob(f"{PREFIX}*") if p.suffix in SUFFIXES.values() and p.is_file()]
    found.sort(key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
    removed = found[keep:] if keep > 0 else []
    for old in removed:
        old.unlink()
        progress(f"removed old backup {old}")
    return removed


def backup_restore(*, path: Path, target: dict, clean: bool, progress: Progress = lambda _m: None) -> None:
    """Restore the backup at `path` into the database `target` (Django connection settings). `clean` drops
    the target's objects first (restoring over a live database); otherwise the target must be empty."""
    if not path.is_file():
        raise BackupError(f"no backup at {path}")
    engine = engine_of(target)
    started = time.monotonic()
    progress(f"restoring {path} into {engine} database {target['NAME']}")
    if engine == "postgresql":
        if path.suffix != SUFFIXES["postgresql"]:
            raise BackupError(f"{path.name} is not a PostgreSQL backup ({SUFFIXES['postgresql']})")
        args, env = _pg_env(target)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              *(["--clean", "--if-exists"] if clean else []), *args, "--dbname", str(target["NAME"]),
              str(path)], env)
    else:
        if path.suffix != SUFFIXES["sqlite"]:
            raise BackupError(f"{path.name} is not a SQLite backup ({SUFFIXES['sqlite']})")
        destination = Path(target["NAME"])
        if destination.exists() and destination.stat().st_size and not clean:
            raise BackupError(f"{destination} is not empty; pass --clean to overwrite it")
        destination.unlink(missing_ok=True)
        _sqlite_copy(path, destination, progress)
    progress(f"restored in {time.monotonic() - started:.1f} s")


def row_counts(target: dict) -> dict[str, int]:
    """Rows per model table in the database `target`, read with a plain connection (no Django)."""
    tables = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)
                     if model._meta.managed and not model._meta.proxy})
    engine = engine_of(target)
    if engine == "postgresql":
        import psycopg

        conn = psycopg.connect(dbname=target["NAME"], host=target.get("HOST") or None,
                               port=target.get("PORT") or None, user=target.get("USER") or None,
                               password=target.get("PASSWORD") or None)
    else:
        conn = sqlite3.connect(target["NAME"])
    try:
        cursor = conn.cursor()
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # table names come from the models
            counts[table] = cursor.fetchone()[0]
        return counts
    finally:
        conn.close()
