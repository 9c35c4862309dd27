"""Serve the gRPC availability service (integrations/grpc) until SIGTERM or Ctrl-C."""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from integrations.grpc.server import SERVICES, build_server
from kernel import metrics

GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Serve the gRPC availability service on GRPC_PORT (default 50051) until SIGTERM or Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=None, help="Instead of the GRPC_PORT setting.")
        parser.add_argument("--host", default="[::]", help="The address to listen on (default: every address).")

    def handle(self, *args, **options):
        port = options["port"] if options["port"] is not None else settings.GRPC_PORT
        built = build_server(port=port, host=options["host"], max_workers=settings.GRPC_MAX_WORKERS)
        if settings.GRPC_METRICS_PORT:
            metrics.serve_worker_metrics(settings.GRPC_METRICS_PORT, process="grpc")
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stop.set())
        built.server.start()
        self.stdout.write(f"gRPC on port {built.port}: {', '.join(SERVICES)}, health and reflection.")
        self.stdout.flush()
        stop.wait()
        self.stdout.write(f"Stopping: NOT_SERVING to health checks; calls under way get {GRACE_SECONDS} s to finish.")
        self.stdout.flush()
        built.stop(GRACE_SECONDS)
