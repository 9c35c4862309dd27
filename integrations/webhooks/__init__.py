"""Signed webhooks to partners: endpoints, the event-type table, deliveries with retries and dead letters."""
