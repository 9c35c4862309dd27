"""Thin tasks: read the clock, call the mail services."""

from __future__ import annotations

import logging

from django.utils import timezone

from booking_site.logging import log_task_runs_at_debug, sweep_log_level
from integrations.mail.delivery import mail_message_attempt, mail_messages_send_due
from integrations.mail.reminders import mail_reminders_queue
from integrations.tasks import job

logger = logging.getLogger(__name__)


@job("mail.messages.send", soft=60, hard=75)
def mail_messages_send_task(message_ids: list[int]) -> dict:
    now = timezone.now()
    outcomes = [mail_message_attempt(pk, now=now) for pk in message_ids[:20]]
    return {outcome: outcomes.count(outcome) for outcome in set(outcomes)}


@job("mail.messages.send_due", soft=75, hard=90)
def mail_messages_send_due_task() -> dict:
    counts = mail_messages_send_due(now=timezone.now(), budget_seconds=50)
    logger.log(sweep_log_level(counts), "e-mail sweep: %s", counts)
    return counts


@job("mail.reminders.queue", soft=120, hard=150)
def mail_reminders_queue_task() -> int:
    return len(mail_reminders_queue(now=timezone.now()))


# The sweep runs every 30 s and logs its own line at INFO only when it sent something.
log_task_runs_at_debug("mail.messages.send_due")
