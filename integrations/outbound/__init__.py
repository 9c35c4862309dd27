"""Outbound deliveries: one engine (claim, lease, backoff, dead letter, metrics) and the pacing it applies,
for every channel that sends rows of work to the outside world (Telegram calls, partner webhooks, e-mail)."""
