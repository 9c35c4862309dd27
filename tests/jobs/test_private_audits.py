"""Audits hold clients' names and phones: they are 0600 files in a 0700 folder, whatever the umask."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.audit.services import audit_export
from tests.conftest import file_mode

pytestmark = pytest.mark.django_db


def test_the_audit_and_its_copy_are_private_whatever_the_umask(settings, tmp_path, now, open_umask):
    settings.AUDIT_DIR = tmp_path / "var" / "audits"
    copy = tmp_path / "handed" / "audit.xlsx"

    audit_export(month=date(2026, 12, 1), now=now, output=copy)

    audit = settings.AUDIT_DIR / "audit-2026-12.xlsx"
    assert file_mode(settings.AUDIT_DIR) == 0o700 and file_mode(audit) == 0o600
    assert file_mode(copy) == 0o600 and file_mode(copy.parent) == 0o700


def test_an_open_audit_folder_of_old_is_narrowed(settings, tmp_path, now, open_umask):
    settings.AUDIT_DIR = tmp_path / "audits"
    settings.AUDIT_DIR.mkdir(mode=0o755)
    (settings.AUDIT_DIR / "audit-2026-10.xlsx").write_bytes(b"old")

    audit_export(month=date(2026, 11, 1), now=now)

    assert file_mode(settings.AUDIT_DIR) == 0o700
    assert file_mode(settings.AUDIT_DIR / "audit-2026-11.xlsx") == 0o600
