"""Thin tasks: read the clock, call the delivery service."""

from __future__ import annotations

from django.utils import timezone

from integrations.tasks import job
from integrations.webhooks.delivery import webhook_deliveries_send_due, webhook_delivery_attempt


@job("webhooks.deliveries.send_due", soft=75, hard=90)
def webhook_deliveries_send_due_task() -> dict:
    return webhook_deliveries_send_due(now=timezone.now(), budget_seconds=50)


@job("webhooks.deliveries.send", soft=60, hard=75)
def webhook_deliveries_send_task(delivery_ids: list[int]) -> dict:
    now = timezone.now()
    outcomes = [webhook_delivery_attempt(pk, now=now) for pk in delivery_ids[:10]]
    return {outcome: outcomes.count(outcome) for outcome in set(outcomes)}
