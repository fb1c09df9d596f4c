"""A lean fake Telegram Bot API (and a Twilio REST trap) on 127.0.0.1 for bench/soak.py.

The approach of tests/fakes/fake_telegram.py, without its call log: a soak sends tens of thousands
of messages, so this keeps per chat only how many messages arrived, when the last did, and whether
the consultation's end message came. Bot API facts it imitates: every method is
POST /bot<token>/<method>, parameters form-encoded (python-telegram-bot) or JSON, answered
{"ok": true, "result": ...}. Any other path (Twilio's REST API, which the soak never expects to be
called: SMS and WhatsApp replies go inline as TwiML) is counted and refused, except
GET /wait?chat=ID&after=N&timeout=S, the soak's own: it answers the chat's message count as soon as
it exceeds N (or after S seconds), so that a simulated citizen reads its reply before answering.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Palabre", "username": "palabre_bot"}


class FakeBotApi:
    """Start with `with FakeBotApi(token, end_text) as fake:`; TELEGRAM_API_URL is `fake.api_url`."""

    def __init__(self, token: str, end_text: str):
        self.token, self.end_text = token, end_text
        self.sent: dict[int, int] = {}  # chat id -> sendMessage calls accepted
        self.ended: dict[int, float] = {}  # chat id -> when its end message arrived (time.monotonic)
        self.other_calls: dict[str, int] = {}  # method -> count (getMe, answerCallbackQuery...)
        self.unexpected = 0  # calls outside the Bot API (e.g. Twilio's REST API)
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)  # notified at every sendMessage
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-bot-api", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/bot"

    def __enter__(self) -> FakeBotApi:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait(self, chat_id: int, after: int, timeout: float) -> int:
        """The chat's message count once it exceeds `after`, or when `timeout` seconds have passed."""
        with self.changed:
            self.changed.wait_for(lambda: self.sent.get(chat_id, 0) > after, timeout=min(timeout, 300))
            return self.sent.get(chat_id, 0)

    def answer(self, method: str, params: dict) -> dict:
        if method != "sendMessage":
            with self.lock:
                self.other_calls[method] = self.other_calls.get(method, 0) + 1
            return BOT_USER if method == "getMe" else True
        chat_id = int(params["chat_id"])
        text = str(params.get("text", ""))
        with self.lock:
            count = self.sent[chat_id] = self.sent.get(chat_id, 0) + 1
            if text.startswith(self.end_text):
                self.ended.setdefault(chat_id, time.monotonic())
            self.changed.notify_all()
        return {"message_id": count, "date": int(time.time()), "from": BOT_USER,
                "chat": {"id": chat_id, "type": "private"}, "text": text}


def _handler_for(fake: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: httpx reuses its connections

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            prefix = f"/bot{fake.token}/"
            if self.command == "GET" and self.path.startswith("/wait?"):
                query = {k: v[-1] for k, v in parse_qs(self.path.split("?", 1)[1]).items()}
                count = fake.wait(int(query["chat"]), int(query["after"]), float(query["timeout"]))
                return self._reply(200, {"count": count})
            if not self.path.startswith(prefix):
                with fake.lock:
                    fake.unexpected += 1
                return self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            if self.headers.get("Content-Type", "").startswith("application/json"):
                params = json.loads(body or b"{}")
            else:
                params = {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
            self._reply(200, {"ok": True, "result": fake.answer(self.path[len(prefix):].split("?")[0], params)})

        do_GET = do_POST  # noqa: N815

        def _reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            pass

    return Handler
