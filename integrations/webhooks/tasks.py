"""Thin tasks: read the clock, call the delivery service."""

from __future__ import annotations

import logging

from django.utils import timezone

from booking_site.logging import sweep_log_level
from integrations.tasks import job
from integrations.webhooks.delivery import webhook_deliveries_send_due, webhook_delivery_attempt

logger = logging.getLogger(__name__)


@job("webhooks.deliveries.send_due", soft=75, hard=90)
def webhook_deliveries_send_due_task() -> dict:
    counts = webhook_deliveries_send_due(now=timezone.now(), budget_seconds=50)
    logger.log(sweep_log_level(counts), "webhook deliveries sweep: %s", counts)
    return counts


@job("webhooks.deliveries.send", soft=60, hard=75)
def webhook_deliveries_send_task(delivery_ids: list[int]) -> dict:
    now = timezone.now()
    outcomes = [webhook_delivery_attempt(pk, now=now) for pk in delivery_ids[:10]]
    return {outcome: outcomes.count(outcome) for outcome in set(outcomes)}
