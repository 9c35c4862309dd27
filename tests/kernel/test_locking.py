"""A wait that ends in a lock timeout or a deadlock is the "busy" refusal, whichever statement waited; any other
database error is not the lock's to translate."""

import pytest
from django.db import DatabaseError, IntegrityError, OperationalError

from kernel.errors import BookingError
from kernel.locking import waits_refused_as_busy


@pytest.mark.parametrize("error", [
    OperationalError("canceling statement due to lock timeout"),
    OperationalError("deadlock detected"),
])
def test_a_lock_timeout_or_deadlock_in_the_block_is_busy(error):
    with pytest.raises(BookingError) as refusal, waits_refused_as_busy():
        raise error
    assert refusal.value.code == "busy" and refusal.value.__cause__ is error


@pytest.mark.parametrize("error", [IntegrityError("duplicate key value"), DatabaseError("disk full")])
def test_other_database_errors_pass_through(error):
    with pytest.raises(type(error)), waits_refused_as_busy():
        raise error
