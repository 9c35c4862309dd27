"""A local stand-in for the Telegram Bot API: an HTTP server in the test process that records every call
and answers from a script (by default `{"ok": true}`), so tests can fail it with 502s and 429s."""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Call:
    token: str
    method: str
    data: dict
    at: float  # time.monotonic()
    status: int
    files: dict = field(default_factory=dict)

    @property
    def chat_id(self) -> int:
        return int(self.data.get("chat_id", 0))

    @property
    def markup(self) -> dict:
        return json.loads(self.data.get("reply_markup") or "{}")


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict, dict]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    data, files = {}, {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename():
            files[name] = (part.get_filename(), part.get_payload(decode=True))
        else:
            data[name] = part.get_content()
    return data, files


class FakeBotApi:
    def __init__(self):
        self.calls: list[Call] = []  # every request, including the ones answered with an error
        self.script: deque[tuple[int, dict]] = deque()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                content_type = self.headers.get("Content-Type", "")
                if content_type.startswith("multipart/"):
                    data, files = _parse_multipart(content_type, body)
                else:
                    data = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                    files = {}
                _, token, method = self.path.split("/", 2)
                with fake._lock:
                    status, answer = fake.script.popleft() if fake.script else (200, {"ok": True, "result": {}})
                    fake.calls.append(Call(token.removeprefix("bot"), method, data, time.monotonic(), status, files))
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeBotApi:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, *responses: tuple[int, dict]) -> None:
        """Queue answers for the next calls, e.g. (502, {}), (429, {"ok": False, "parameters": {...}})."""
        self.script.extend(responses)

    @property
    def delivered(self) -> list[Call]:
        return [call for call in self.calls if call.status == 200]

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.delivered) >= count:
                return self.delivered
            time.sleep(0.1)
        return self.delivered


def too_many_requests(retry_after: int) -> tuple[int, dict]:
    return 429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
                 "parameters": {"retry_after": retry_after}}


BAD_GATEWAY = (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
