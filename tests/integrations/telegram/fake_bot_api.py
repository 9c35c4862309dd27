"""A local stand-in for the Telegram Bot API: an HTTP server in a thread that answers the methods the bots
call, the way Telegram does (`{"ok": true, "result": ...}`), and records every call with its form fields."""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Call:
    token: str
    method: str
    fields: dict
    message_id: int | None = None  # of the message sent or edited

    @property
    def chat_id(self) -> int | None:
        return int(self.fields["chat_id"]) if "chat_id" in self.fields else None

    @property
    def text(self) -> str:
        return self.fields.get("text", "")

    @property
    def markup(self) -> dict | None:
        return self.fields.get("reply_markup")

    @property
    def buttons(self) -> list[dict]:
        """Inline buttons (label and callback data), row after row."""
        markup = self.markup or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    @property
    def keys(self) -> list[str]:
        """Reply-keyboard labels."""
        markup = self.markup or {}
        return [b if isinstance(b, str) else b.get("text", "") for row in markup.get("keyboard", []) for b in row]


@dataclass
class FakeBotApi:
    calls: list[Call] = field(default_factory=list)
    failing_methods: set[str] = field(default_factory=set)
    failing_chats: set[int] = field(default_factory=set)
    next_message_id: int = 100
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, token: str, method: str, fields: dict) -> tuple[int, dict]:
        with self.lock:
            call = Call(token, method, fields)
            self.calls.append(call)
            if method in self.failing_methods or (call.chat_id is not None and call.chat_id in self.failing_chats):
                return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            bot_id = int(token.split(":")[0]) if token.split(":")[0].isdigit() else 1
            if method == "getMe":
                return 200, {"ok": True, "result": {"id": bot_id, "is_bot": True, "first_name": "Clinic",
                                                    "username": f"clinic_{bot_id}_bot", "can_join_groups": False,
                                                    "can_read_all_group_messages": False,
                                                    "supports_inline_queries": False}}
            if method in ("sendMessage", "sendDocument", "sendInvoice", "editMessageText", "editMessageReplyMarkup"):
                if method in ("sendMessage", "sendDocument", "sendInvoice"):
                    self.next_message_id += 1
                    message_id = self.next_message_id
                else:
                    message_id = int(fields.get("message_id", 0))
                chat_id = int(fields.get("chat_id", 0))
                call.message_id = message_id
                return 200, {"ok": True, "result": {
                    "message_id": message_id, "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"}, "text": fields.get("text", ""),
                    "from": {"id": bot_id, "is_bot": True, "first_name": "Clinic"},
                }}
            if method in ("answerCallbackQuery", "answerPreCheckoutQuery", "setWebhook", "deleteWebhook",
                          "setMyCommands", "setChatMenuButton"):
                return 200, {"ok": True, "result": True}
            if method == "getWebhookInfo":
                return 200, {"ok": True, "result": {"url": "", "has_custom_certificate": False,
                                                    "pending_update_count": 0}}
            if method == "createInvoiceLink":
                return self.invoice_link(fields)
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}

    @staticmethod
    def invoice_link(fields: dict) -> tuple[int, dict]:
        """createInvoiceLink: a t.me/$<slug> link whose slug names the invoice's payload (invoice_slug)."""
        if not fields.get("payload") or not fields.get("provider_token") or not fields.get("prices"):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: invoice fields are missing"}
        return 200, {"ok": True, "result": f"https://t.me/${invoice_slug(fields['payload'])}"}

    def of(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if (method is None or c.method == method)
                    and (chat_id is None or c.chat_id == chat_id)]

    def clear(self) -> None:
        with self.lock:
            self.calls.clear()


def invoice_slug(payload: str) -> str:
    """The slug of the fake's invoice link for `payload` (Telegram's are opaque; these let a test find one)."""
    return "inv" + base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _parse_fields(content_type: str, body: bytes) -> dict:
    fields: dict = {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            fields[name] = ({"filename": filename, "size": len(payload), "content": payload,
                             "content_type": part.get_content_type()} if filename else payload.decode())
    elif body:
        if content_type.startswith("application/json"):
            fields = json.loads(body)
        else:
            fields = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    for name in ("reply_markup", "prices"):  # JSON-serialised fields of a form, as the Bot API reads them
        if isinstance(fields.get(name), str):
            fields[name] = json.loads(fields[name])
    return fields


def start(api: FakeBotApi) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            _, bot_part, method = self.path.split("/", 2)
            status, payload = api.answer(bot_part.removeprefix("bot"), method.split("?")[0],
                                         _parse_fields(self.headers.get("Content-Type", ""), body))
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST

        def log_message(self, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
