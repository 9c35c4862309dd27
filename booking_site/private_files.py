"""Files only the service's own user may read: database backups and monthly audits hold clients' names and
phones, password and key hashes, sessions and webhook secrets. Folders are 0700 and files 0600 from the moment
they exist, whatever the process umask; nothing is written first and narrowed afterwards."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def private_directory(path: Path, *, narrow_existing: bool = True) -> Path:
    """Make `path` (and its missing parents) as 0700 folders. An existing `path` is narrowed to 0700 too when
    `narrow_existing` (a folder of the service's own), unless it is not ours or is a shared sticky folder like
    /tmp; an old backup or audit inside then stops being reachable by other users as well."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=DIRECTORY_MODE, exist_ok=True)
        os.chmod(folder, DIRECTORY_MODE)  # mkdir's mode passes through the umask; the folder is still empty
    if narrow_existing and path not in missing:
        info = path.stat()
        if info.st_uid == os.getuid() and not info.st_mode & stat.S_ISVTX and stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(path, DIRECTORY_MODE)
    return path


def private_file(path: Path) -> BinaryIO:
    """`path` opened for writing (created or emptied) as a 0600 file, before a byte is written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # a new file's mode passes through the umask; an old file keeps its own
    except OSError:
        os.close(fd)
        raise
    return os.fdopen(fd, "wb")


def private_copy(source: Path, target: Path) -> None:
    with source.open("rb") as src, private_file(target) as dst:
        while block := src.read(1 << 20):
            dst.write(block)
