"""A fake Telegram Bot API over real HTTP on 127.0.0.1: records calls, serves scripted updates, fails on request.

Bot API facts it imitates: every method is POST {base}/bot<token>/<method>; python-telegram-bot sends
the parameters form-encoded, objects (reply_markup) as JSON text; answers are
{"ok": true, "result": ...} or {"ok": false, "error_code": ..., "description": ..., "parameters": ...}.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Palabre", "username": "palabre_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
ERRORS = {
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    400: "Bad Request: chat not found",
    500: "Internal Server Error",
}
# An empty getUpdates waits this long, as a long poll would, so that a poller does not spin.
EMPTY_POLL_WAIT_SECONDS = 0.02


@dataclass(frozen=True)
class Call:
    """One Bot API call the fake answered (or refused)."""

    method: str
    params: dict[str, Any]
    result: Any = None  # what the fake answered (a sendMessage's Message has its message_id)

    @property
    def markup(self) -> dict | None:
        return self.params.get("reply_markup")

    @property
    def buttons(self) -> list[dict]:
        """The inline buttons of a sendMessage, row after row."""
        rows = (self.markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


class FakeTelegram:
    """Start with `with FakeTelegram(token) as fake:`; point TELEGRAM_API_URL at `fake.api_url`."""

    def __init__(self, token: str):
        self.token = token
        self.calls: list[Call] = []
        self._failures: dict[str, deque[tuple[int, int | None]]] = {}
        self._updates: deque[dict] = deque()
        self._next_message_id = 5000
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-telegram", daemon=True)

    @property
    def api_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/bot"

    def __enter__(self) -> FakeTelegram:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, method: str, status: int, times: int = 1, retry_after: int | None = None) -> None:
        """Refuse the next `times` calls of a method: 429 (with retry_after), 403 (blocked), 400, 500."""
        with self._lock:
            self._failures.setdefault(method, deque()).extend([(status, retry_after)] * times)

    def add_updates(self, *updates: dict) -> None:
        """Updates getUpdates serves, in order, until each is confirmed by a higher offset."""
        with self._lock:
            self._updates.extend(updates)

    def called(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    @property
    def sent(self) -> list[Call]:
        """Every sendMessage accepted, oldest first."""
        return self.called("sendMessage")

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        with self._lock:
            failures = self._failures.get(method)
            failure = failures.popleft() if failures else None
        if failure is not None:
            status, retry_after = failure
            body = {"ok": False, "error_code": status, "description": ERRORS[status].format(retry_after=retry_after)}
            if retry_after is not None:
                body["parameters"] = {"retry_after": retry_after}
            return status, body
        result = self._get_updates(params) if method == "getUpdates" else self._result(method, params)
        if result is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        with self._lock:
            self.calls.append(Call(method, params, result))
        return 200, {"ok": True, "result": result}

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageReplyMarkup"):
            with self._lock:
                if method == "sendMessage":
                    self._next_message_id += 1
                message_id = int(params.get("message_id") or self._next_message_id)
            message = {"message_id": message_id, "date": int(time.time()), "from": BOT_USER,
                       "chat": {"id": int(params["chat_id"]), "type": "private"}, "text": params.get("text", "")}
            if isinstance(params.get("reply_markup"), dict) and "inline_keyboard" in params["reply_markup"]:
                message["reply_markup"] = params["reply_markup"]
            return message
        if method in ("answerCallbackQuery", "setWebhook", "deleteWebhook"):
            return True
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return None

    def _get_updates(self, params: dict[str, Any]) -> list[dict]:
        offset = int(params.get("offset") or 0)
        with self._lock:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()  # confirmed: Telegram forgets it
            pending = list(self._updates)
        if not pending:
            time.sleep(EMPTY_POLL_WAIT_SECONDS)
        return pending


def _parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    if content_type.startswith("application/json"):
        return json.loads(body or b"{}")
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        raw = {part.get_param("name", header="content-disposition"): part.get_content() for part in message.iter_parts()}
    else:
        raw = {key: values[-1] for key, values in parse_qs(body.decode(), keep_blank_values=True).items()}
    params: dict[str, Any] = {}
    for key, value in raw.items():
        params[key] = json.loads(value) if key in ("reply_markup", "allowed_updates") else value
    return params


def _handler_for(fake: FakeTelegram) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            prefix = f"/bot{fake.token}/"
            if not self.path.startswith(prefix):
                return self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            method = self.path[len(prefix):].split("?")[0]
            params = _parse_body(self.headers.get("Content-Type", ""), body)
            self._reply(*fake.answer(method, params))

        do_GET = do_POST  # noqa: N815

        def _reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            pass  # keep the test output quiet

    return Handler
