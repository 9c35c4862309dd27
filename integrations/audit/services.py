"""Making, storing and sending the monthly audit. One AuditExport per month: making it again rebuilds the
same record and file, and managers get the document once per month (the delivery's dedupe key)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import TelegramAccount
from booking_site.private_files import private_copy, private_directory
from integrations.audit.workbook import AuditWriter, Progress, month_bounds
from integrations.delivery import bot_token, delivery_enqueue
from integrations.models import AuditExport, Delivery
from kernel import metrics
from kernel.clock import clinic_zone
from kernel.errors import BookingError
from kernel.scheduling import add_months

logger = logging.getLogger(__name__)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> date:
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise BookingError("invalid", _("A month is written as YYYY-MM, for example 2026-10."), field="month")
    return date(int(match.group(1)), int(match.group(2)), 1)


def previous_month(now: datetime) -> date:
    today = timezone.localtime(now, clinic_zone()).date()
    year, month = add_months(today.year, today.month, -1)
    return date(year, month, 1)


def month_end(month: date) -> datetime:
    """The instant a month is over, in the clinic's time zone."""
    year, following = add_months(month.year, month.month, 1)
    return datetime(year, following, 1, tzinfo=clinic_zone())


def file_name(month: date) -> str:
    return f"audit-{month:%Y-%m}.xlsx"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_out(final: Path, output: Path) -> None:
    private_directory(output.parent, narrow_existing=False)
    private_copy(final, output)


def audit_export(*, month: date, now: datetime, output: Path | None = None,
                 progress: Progress | None = None) -> AuditExport:
    """Write the audit of `month` and record it, replacing an earlier one made while the month was still
    running. A final audit (made after the month ended) is kept as it is: the purge may already have deleted
    the bookings it holds, so rebuilding it would lose them. Audits are 0600 files in a 0700 folder."""
    month = month.replace(day=1)
    directory = private_directory(Path(settings.AUDIT_DIR))
    final = directory / file_name(month)
    existing = AuditExport.objects.filter(month=month).first()
    if audit_is_final(existing) and final.exists():
        if output is not None:
            _copy_out(final, output)
        logger.info("audit %s is final already (made %s); kept as it is", f"{month:%Y-%m}", existing.created_at)
        return existing
    partial = final.with_suffix(f".{os.getpid()}.part")
    try:
        row_counts = AuditWriter(month=month, now=now, progress=progress).write(partial)
        checksum, size = _sha256(partial), partial.stat().st_size
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    with transaction.atomic():
        export, _created = AuditExport.objects.update_or_create(
            month=month,
            defaults={"file": file_name(month), "sha256": checksum, "size": size, "row_counts": row_counts,
                      "created_at": now},
        )
    if output is not None:
        _copy_out(final, output)
    metrics.AUDIT_EXPORTS.inc()
    logger.info("audit %s written: %s bytes, rows %s", f"{month:%Y-%m}", size, row_counts)
    return export


def audit_is_final(export: AuditExport | None) -> bool:
    """Made after its month ended, so it holds the month's last word (the purge relies on this)."""
    return export is not None and export.created_at >= month_end(export.month)


def audit_send_to_managers(*, export: AuditExport, now: datetime) -> list[int]:
    """Queue the workbook as a Telegram document to each manager, once per month and manager."""
    bot = Delivery.Bot.EQUIPMENT if bot_token(Delivery.Bot.EQUIPMENT) else Delivery.Bot.CABINET
    if not bot_token(bot):
        return []
    path = Path(settings.AUDIT_DIR) / export.file.name
    bookings = export.row_counts.get("equipment_bookings", 0) + export.row_counts.get("cabinet_bookings", 0)
    ids = []
    for account in TelegramAccount.objects.filter(is_manager=True, is_blocked=False).order_by("id"):
        with translation.override(account.language):
            caption = _("📊 Monthly audit for %(month)s: %(bookings)s bookings.") % {
                "month": date_format(export.month, "F Y"), "bookings": bookings}
        delivery = delivery_enqueue(
            bot=bot, chat_id=account.telegram_id, method="sendDocument", now=now,
            payload={"document_path": str(path), "filename": file_name(export.month), "caption": caption},
            dedupe_key=f"audit:{export.month:%Y-%m}:{account.telegram_id}",
        )
        if delivery is not None:
            ids.append(delivery.pk)
    return ids


def audit_export_previous_month(*, now: datetime) -> AuditExport:
    """The scheduled run: the previous month's audit, made once it is final, then sent to managers."""
    month = previous_month(now)
    export = AuditExport.objects.filter(month=month).first()
    if not audit_is_final(export):
        export = audit_export(month=month, now=now)
    audit_send_to_managers(export=export, now=now)
    return export


__all__ = ["audit_export", "audit_export_previous_month", "audit_is_final", "audit_send_to_managers",
           "month_bounds", "parse_month", "previous_month"]
