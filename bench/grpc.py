"""Bulk availability over gRPC against the same over REST, in one run: 100 items x 30 days asked through
`GetAvailabilityBulk` (the gRPC server of `manage.py grpcserver`, one process with a thread pool) and through
POST /api/v1/availability/bulk (gunicorn with 2 gthread workers), one client each, one after the other, on the
same data. The answers must be equal (else the benchmark fails). Prints one JSON line.

    .venv/bin/python bench/grpc.py                      # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/grpc.py

Figures per door: p50/p99 in ms (p99 only from 100 samples on; max_ms always), calls per second, the server's
CPU ms per call, the answer's size in bytes; and the gRPC/REST ratios of p50 and of server CPU."""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called grpc.py: keep its folder off the path while the real grpc package is imported.
HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
import grpc  # noqa: E402

sys.path.insert(0, str(HERE))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402

from availability import build  # noqa: E402
from common import (  # noqa: E402
    BIN,
    ROOT,
    Client,
    Server,
    bench_environment,
    django_setup,
    emit,
    free_port,
    load_average,
    percentiles,
    process_cpu,
    vendor,
)


class GrpcServer:
    """`manage.py grpcserver` on a free loopback port, with the settings the HTTP server gets."""

    def __init__(self, server_env: dict):
        self.port = free_port()
        self.target = f"127.0.0.1:{self.port}"
        self.env = server_env
        self.log = Path(server_env["VAR_DIR"]) / f"grpc-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> GrpcServer:
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        self.process = subprocess.Popen(
            [str(BIN / "python"), "manage.py", "grpcserver", "--port", str(self.port), "--host", "127.0.0.1"],
            cwd=ROOT, env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        with grpc.insecure_channel(self.target) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"grpcserver exited: {self.log.read_text()[-3000:]}")
                try:
                    if stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status == 1:
                        return self
                except grpc.RpcError:
                    time.sleep(0.2)
        raise RuntimeError("grpcserver did not start in 60 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)

    def cpu(self) -> float:
        return process_cpu(self.process.pid)


def timed_calls(call, *, total: int, seconds: float, cpu) -> tuple[dict, object]:
    """`call()` up to `total` times or for `seconds`, one after the other; the figures and the last answer."""
    latencies, answer = [], None
    server_cpu, deadline, started = cpu(), time.monotonic() + seconds, time.monotonic()
    for _ in range(total):
        if time.monotonic() > deadline:
            break
        began = time.perf_counter()
        answer = call()
        latencies.append((time.perf_counter() - began) * 1000)
    wall, server_cpu = time.monotonic() - started, cpu() - server_cpu
    return {**percentiles(latencies), "rps": round(len(latencies) / wall, 1),
            "server_cpu_ms_per_call": round(server_cpu * 1000 / max(len(latencies), 1), 1)}, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--bookings-per-item", type=int, default=80)
    parser.add_argument("--calls", type=int, default=200, help="calls through each door")
    parser.add_argument("--warm-up", type=int, default=10, help="untimed calls through each door first")
    parser.add_argument("--seconds", type=float, default=60, help="at most this long per door")
    args = parser.parse_args()
    with bench_environment("grpc") as env:
        django_setup()
        from django.utils import timezone

        from accounts.services import partner_create
        from equipment.models import Item
        from integrations.grpc.generated.bronivik.availability.v1 import availability_pb2 as pb2
        from integrations.grpc.generated.bronivik.availability.v1 import availability_pb2_grpc as pb2_grpc

        data = build(argparse.Namespace(items=args.items, bookings_per_item=args.bookings_per_item,
                                        item_days=args.days, cabinets=0, cabinet_days=0))
        _partner, key = partner_create(name="bench", scopes=("read:items", "read:availability"),
                                       rate_limit_per_minute=1_000_000)
        today = timezone.localdate()
        names = list(Item.objects.order_by("sort_order").values_list("name", flat=True))
        dates = [(today + timedelta(days=n)).isoformat() for n in range(args.days)]
        figures = {"load_average": load_average(), "database": vendor(),
                   "data": {**data, "asked_items": len(names), "asked_days": len(dates)}}

        with Server(env) as http:
            rest = Client(http.url, {"X-API-Key": key})

            def over_rest():
                status, body = rest.call("POST", "/api/v1/availability/bulk", {"items": names, "dates": dates})
                if status != 200:
                    raise RuntimeError(f"REST answered {status}: {body[:300]!r}")
                return body

            http.warm(lambda n: ("POST", "/api/v1/availability/bulk", {"items": names, "dates": dates}),
                      headers={"X-API-Key": key})
            for _ in range(args.warm_up):
                over_rest()
            figures["rest"], rest_body = timed_calls(over_rest, total=args.calls, seconds=args.seconds, cpu=http.cpu)
            rest.close()
            figures["rest"]["answer_bytes"] = len(rest_body)

        with GrpcServer(http.env) as server, grpc.insecure_channel(server.target) as channel:
            stub, metadata = pb2_grpc.AvailabilityServiceStub(channel), (("x-api-key", key),)
            request = pb2.GetAvailabilityBulkRequest(items=names, dates=dates)

            def over_grpc():
                return stub.GetAvailabilityBulk(request, metadata=metadata, timeout=60)

            for _ in range(args.warm_up):
                over_grpc()
            figures["grpc"], grpc_answer = timed_calls(over_grpc, total=args.calls, seconds=args.seconds,
                                                       cpu=server.cpu)
            figures["grpc"]["answer_bytes"] = grpc_answer.ByteSize()

        fields = ("item_name", "date", "available", "booked_count", "total")
        rest_rows = [tuple(row[name] for name in fields) for row in json.loads(rest_body)["results"]]
        grpc_rows = [tuple(getattr(row, name) for name in fields) for row in grpc_answer.results]
        if rest_rows != grpc_rows:
            raise AssertionError("the gRPC answer differs from the REST answer")
        figures["answers_equal"], figures["cells"] = True, len(grpc_rows)
        figures["ratios"] = {
            "grpc_to_rest_p50": round(figures["grpc"]["p50_ms"] / max(figures["rest"]["p50_ms"], 0.1), 2),
            "grpc_to_rest_server_cpu": round(figures["grpc"]["server_cpu_ms_per_call"]
                                             / max(figures["rest"]["server_cpu_ms_per_call"], 0.1), 2),
        }
        figures["targets"] = {"answers_equal": True,
                              "grpc_p50_le_rest_p50": figures["grpc"]["p50_ms"] <= figures["rest"]["p50_ms"]}
        figures["load_average_after"] = load_average()
        emit("grpc", figures)


if __name__ == "__main__":
    main()
