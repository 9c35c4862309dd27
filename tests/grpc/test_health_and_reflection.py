"""Standard health checking and server reflection answer without a key, so load balancers and tools such as
grpcurl work against the server as they are."""

from __future__ import annotations

import pytest
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

pytestmark = pytest.mark.postgres


def test_the_server_and_each_service_report_serving_without_a_key(channel):
    stub = health_pb2_grpc.HealthStub(channel)
    for service in ("", "bronivik.availability.v1.AvailabilityService", "clinic.booking.v1.Availability"):
        answer = stub.Check(health_pb2.HealthCheckRequest(service=service))
        assert answer.status == health_pb2.HealthCheckResponse.SERVING, service


def test_reflection_lists_the_services_and_describes_their_methods_and_messages(channel):
    database = ProtoReflectionDescriptorDatabase(channel)
    assert set(database.get_services()) == {
        "bronivik.availability.v1.AvailabilityService", "clinic.booking.v1.Availability", "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection"}
    pool = DescriptorPool(database)
    original = pool.FindServiceByName("bronivik.availability.v1.AvailabilityService")
    assert [method.name for method in original.methods] == ["GetAvailability", "GetAvailabilityBulk", "ListItems"]
    assert original.file.name == "bronivik/availability/v1/availability.proto"
    answer = pool.FindMessageTypeByName("bronivik.availability.v1.GetAvailabilityResponse")
    assert [(field.name, field.number) for field in answer.fields] == [
        ("item_name", 1), ("date", 2), ("available", 3), ("booked_count", 4), ("total", 5)]
    ours = pool.FindServiceByName("clinic.booking.v1.Availability")
    assert [method.name for method in ours.methods] == [
        "ListItems", "GetItemAvailability", "ListCabinetSlots", "ListServiceSlots"]
