"""The outbox: every booking change is recorded as an event in the booking's own transaction.

Consumers (Telegram messages, Sheets rows, metrics) register here and are called right after commit;
the domain apps never import them. What a consumer fails to do, it keeps in its own delivery rows and
retries from tasks, so nothing is lost when a downstream service is down."""

default_app_config = "kernel.outbox.apps.OutboxConfig"
