"""Integration state lives here; the domain apps know nothing of it."""
