"""The booking kernel: what every bookable resource shares (statuses and transitions, lifecycle, errors, actors
and channels, locking, the outbox, idempotency records, the waitlist, attendance, alternatives, the clinic
clock). It knows no resource: each resource registers one adapter (kernel/adapters.py) and the kernel calls
adapters only. See docs/architecture.md."""
