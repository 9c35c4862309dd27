"""`manage.py grpcserver` (the Procfile's and the compose file's `grpc` process) serves until SIGTERM, then
stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]


def test_grpcserver_answers_health_checks_and_stops_on_sigterm():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "manage.py", "grpcserver", "--port", "0", "--host", "127.0.0.1"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = server.stdout.readline()
        assert banner.startswith("gRPC on port "), banner + server.stderr.read()
        port = int(banner.split()[3].rstrip(":"))
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert "Stopping" in server.stdout.read()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
