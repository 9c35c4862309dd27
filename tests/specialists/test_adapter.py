"""The kernel reaches specialists through their adapter, registered at start-up."""

from __future__ import annotations

import pytest

from kernel.adapters import ResourceAdapter, adapter_for
from kernel.errors import BookingError
from tests.conftest import NOW
from tests.specialists.conftest import TUE, at

pytestmark = pytest.mark.django_db


def test_the_specialists_adapter_is_registered_and_complete():
    adapter = adapter_for("specialist")
    assert isinstance(adapter, ResourceAdapter)
    assert adapter.lead_time() == adapter_for("cabinet").lead_time()


def test_an_appointment_names_its_specialist_to_the_kernel(ultrasound, anna, book):
    appointment = book(ultrasound, at(TUE, 10), specialist=anna)
    adapter = adapter_for("specialist")
    assert adapter.booking_resource_id(appointment) == anna.pk
    assert adapter.resource_names([anna.pk]) == {anna.pk: "Анна Смирнова"}
    assert adapter.booking_ends_at(appointment) == at(TUE, 11)


def test_the_window_check_applies_the_clinic_lead_time_and_the_specialists_hours(anna):
    adapter = adapter_for("specialist")
    adapter.check_window(starts_at=at(TUE, 10), ends_at=at(TUE, 11), specialist_id=anna.pk, now=NOW)
    with pytest.raises(BookingError) as refused:
        adapter.check_window(starts_at=at(TUE, 12, 30), ends_at=at(TUE, 13, 30), specialist_id=anna.pk, now=NOW)
    assert refused.value.code == "outside_hours"
    with pytest.raises(BookingError) as refused:
        adapter.check_window(starts_at=at(NOW.date(), 10, 30), ends_at=at(NOW.date(), 11, 30), now=NOW)
    assert refused.value.code == "too_soon"
