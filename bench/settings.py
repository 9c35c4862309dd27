"""Settings of the servers the benchmarks start: the product's settings plus two switches read only here.

BENCH_DISABLE_LOCKING=1 turns the booking locks off (the race benchmark's negative control, which must
oversell); BENCH_PAUSE_AFTER_CHECK widens the window between the availability check and the write."""

import os

from booking_site.settings import *  # noqa: F403

try:
    from kernel import locking
except ImportError:  # a checkout from before the kernel app, measured for a before/after
    from booking_site import locking

locking.enabled = os.environ.get("BENCH_DISABLE_LOCKING", "") != "1"
locking.pause_after_check = float(os.environ.get("BENCH_PAUSE_AFTER_CHECK", "0") or 0)
