"""The adapter registry: each resource registers one adapter, the kernel finds it by resource type, and a
mistake (an unknown type, two adapters for one type, an adapter missing part of the protocol) is refused
loudly rather than settled by import order."""

from __future__ import annotations

import pytest

from kernel import adapters
from kernel.adapters import UnknownResource, adapter_for
from tests.kernel.conftest import ProbeAdapter


def test_both_installed_resources_registered_their_adapter_at_start_up():
    assert {"equipment", "cabinet"} <= {adapter.resource_type for adapter in adapters.adapters()}
    assert adapter_for("equipment").resource_model._meta.label == "equipment.Item"
    assert adapter_for("cabinet").booking_model._meta.label == "cabinets.CabinetBooking"


def test_an_unknown_resource_type_is_a_clear_error_naming_the_registered_ones():
    with pytest.raises(UnknownResource, match=r"no resource adapter for 'parking' \(registered: .*cabinet"):
        adapter_for("parking")


def test_a_second_adapter_for_a_registered_type_is_refused(probe):
    with pytest.raises(ValueError, match="already registered"):
        adapters.register(ProbeAdapter())
    assert adapter_for("probe") is probe
    assert adapters.register(probe) is probe  # the same object again changes nothing


def test_an_adapter_missing_part_of_the_protocol_is_refused():
    protocol = {name: value for name, value in vars(ProbeAdapter).items() if name not in ("no_shows", "__dict__")}
    half = type("Half", (), {**protocol, "resource_type": "half"})()
    with pytest.raises(TypeError, match="lacks no_shows"):
        adapters.register(half)
    with pytest.raises(UnknownResource):
        adapter_for("half")


def test_an_adapter_without_a_resource_type_is_refused():
    nameless = ProbeAdapter()
    nameless.resource_type = ""
    with pytest.raises(TypeError, match="no resource_type"):
        adapters.register(nameless)


def test_the_protocol_is_what_the_installed_adapters_provide():
    for adapter in adapters.adapters():
        assert isinstance(adapter, adapters.ResourceAdapter), adapter.resource_type
