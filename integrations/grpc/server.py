"""The gRPC server: the two availability services, standard health checking (grpc.health.v1) and server
reflection (neither needs a key), and a request counter and timer per method and status code."""

from __future__ import annotations

import logging
import time
from concurrent import futures
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from integrations.grpc.generated.bronivik.availability.v1 import availability_pb2 as bronivik_pb2
from integrations.grpc.generated.bronivik.availability.v1 import availability_pb2_grpc as bronivik_grpc
from integrations.grpc.generated.clinic.booking.v1 import availability_pb2 as clinic_pb2
from integrations.grpc.generated.clinic.booking.v1 import availability_pb2_grpc as clinic_grpc
from integrations.grpc.servicers import BronivikAvailability, ClinicAvailability
from kernel import metrics

logger = logging.getLogger(__name__)

SERVICES = (
    bronivik_pb2.DESCRIPTOR.services_by_name["AvailabilityService"].full_name,
    clinic_pb2.DESCRIPTOR.services_by_name["Availability"].full_name,
)


class MetricsInterceptor(grpc.ServerInterceptor):
    """Counts and times every unary call by method and status code (grpc_requests_total,
    grpc_request_duration_seconds). Streaming calls (health Watch, reflection) pass through uncounted."""

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method, behaviour = handler_call_details.method, handler.unary_unary

        def measured(request, context):
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                return behaviour(request, context)
            except Exception:
                code = context.code() or grpc.StatusCode.UNKNOWN
                raise
            finally:
                code = context.code() or code
                metrics.GRPC_REQUESTS.labels(method, code.name).inc()
                metrics.GRPC_SECONDS.labels(method).observe(time.perf_counter() - started)

        return grpc.unary_unary_rpc_method_handler(
            measured, request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer)


@dataclass
class Built:
    server: grpc.Server
    port: int  # the port bound (a free one when 0 was asked)
    health: health.HealthServicer

    def stop(self, grace: float | None) -> None:
        """Report NOT_SERVING (balancers stop sending new calls), then let calls under way finish."""
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()


def build_server(*, port: int, max_workers: int, host: str = "[::]") -> Built:
    """A server with every service added and bound to host:port (0: a free port), not started yet."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="grpc"),
                         interceptors=[MetricsInterceptor()])
    bronivik_grpc.add_AvailabilityServiceServicer_to_server(BronivikAvailability(), server)
    clinic_grpc.add_AvailabilityServicer_to_server(ClinicAvailability(), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ("", *SERVICES):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        (*SERVICES, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME), server)
    bound = server.add_insecure_port(f"{host}:{port}")
    if not bound:
        raise OSError(f"cannot listen on {host}:{port}")
    return Built(server=server, port=bound, health=health_servicer)
