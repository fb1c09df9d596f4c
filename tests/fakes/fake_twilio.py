"""A fake Twilio REST API over real HTTP on 127.0.0.1: records Messages.json and Calls.json POSTs, fails on request,
and serves the recordings a test puts in `recordings` (GET .../Recordings/RE....mp3, with the account's basic auth)."""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

DATA = Path(__file__).resolve().parent.parent / "data" / "twilio"
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Messages\.json$")
CALLS_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Calls\.json$")
RECORDING_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Recordings/(?P<sid>RE\w+)\.mp3$")


@dataclass(frozen=True)
class Sent:
    """One message Twilio accepted."""

    sid: str
    account: str
    form: dict[str, str]

    @property
    def to(self) -> str:
        return self.form["To"]

    @property
    def body(self) -> str:
        return self.form["Body"]


class FakeTwilio:
    """Start with `with FakeTwilio(account, token) as fake:`; point TWILIO_API_URL at `fake.url`."""

    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.sent: list[Sent] = []
        self.calls: list[Sent] = []  # calls placed (Calls.json): form has To, From, Url, StatusCallback
        self.recordings: dict[str, bytes] = {}  # RecordingSid -> the MP3 Twilio would serve
        self.fetched: list[str] = []  # the recordings asked for, with good credentials
        self.attempts = 0  # every POST, accepted or not
        self._failures: deque[tuple[str, float]] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-twilio", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, times: int, error: str | int, delay: float = 0.0) -> None:
        """Answer the next `times` POSTs with an error of errors.json ('429', '500', '400', '21610'), or hang."""
        with self._lock:
            self._failures.extend([(str(error), delay)] * times)

    def __enter__(self) -> FakeTwilio:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, account: str, authorization: str | None, form: dict[str, str]) -> tuple[int, dict]:
        with self._lock:
            self.attempts += 1
            failure = self._failures.popleft() if self._failures else None
        errors = json.loads((DATA / "errors.json").read_text())
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if authorization != expected or account != self.account_sid:
            return 401, errors["401"]
        if failure is not None:
            error, delay = failure
            if delay:
                time.sleep(delay)  # a slow Twilio: the client gives up first
            if error in errors:  # Twilio's messages quote the number, as the real ones do
                return int(errors[error]["status"]), {**errors[error], "message": errors[error]["message"].format(To=form.get("To"))}
        # A message is a Body, or an approved template (ContentSid) for WhatsApp.
        if "To" not in form or not ({"Body", "ContentSid"} & form.keys()) or not ({"From", "MessagingServiceSid"} & form.keys()):
            return 400, {**errors["400"], "message": errors["400"]["message"].format(To=form.get("To"))}
        sid = "SM" + secrets.token_hex(16)
        with self._lock:
            self.sent.append(Sent(sid, account, form))
        created = json.loads((DATA / "message_created.json").read_text())
        created.update(sid=sid, to=form["To"], body=form.get("Body", ""), **{"from": form.get("From")})
        return 201, created


    def _answer_call(self, account: str, authorization: str | None, form: dict[str, str]) -> tuple[int, dict]:
        """Place a call: To, From and Url are required, as Twilio's Calls resource requires them."""
        with self._lock:
            self.attempts += 1
            failure = self._failures.popleft() if self._failures else None
        errors = json.loads((DATA / "errors.json").read_text())
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if authorization != expected or account != self.account_sid:
            return 401, errors["401"]
        if failure is not None and failure[0] in errors:
            error = failure[0]
            return int(errors[error]["status"]), {**errors[error], "message": errors[error]["message"].format(To=form.get("To"))}
        if not {"To", "From", "Url"} <= form.keys():
            return 400, {**errors["400"], "message": errors["400"]["message"].format(To=form.get("To"))}
        sid = "CA" + secrets.token_hex(16)
        with self._lock:
            self.calls.append(Sent(sid, account, form))
        created = json.loads((DATA / "call_created.json").read_text())
        created.update(sid=sid, to=form["To"], **{"from": form["From"]})
        return 201, created


    def _recording(self, account: str, sid: str, authorization: str | None) -> tuple[int, bytes | dict]:
        """A recording's MP3, as Twilio serves media to the account's own credentials."""
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if authorization != expected or account != self.account_sid:
            return 401, json.loads((DATA / "errors.json").read_text())["401"]
        with self._lock:
            self.fetched.append(sid)
        if sid not in self.recordings:
            return 404, {"code": 20404, "message": f"The requested resource {sid} was not found", "status": 404}
        return 200, self.recordings[sid]


def _handler_for(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            match = RECORDING_PATH.match(self.path)
            if match is None:
                self._reply(404, {"code": 20404, "message": "Not Found", "status": 404})
                return
            status, body = fake._recording(match["account"], match["sid"], self.headers.get("Authorization"))
            if isinstance(body, dict):
                self._reply(status, body)
                return
            self.send_response(status)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            match = MESSAGES_PATH.match(self.path)
            call = CALLS_PATH.match(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            if call is not None:
                form = {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
                self._reply(*fake._answer_call(call["account"], self.headers.get("Authorization"), form))
                return
            if match is None:
                self._reply(404, {"code": 20404, "message": "Not Found", "status": 404})
                return
            form = {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
            status, body = fake._answer(match["account"], self.headers.get("Authorization"), form)
            self._reply(status, body)

        def _reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and went away

        def log_message(self, *_args: object) -> None:
            pass  # keep test output quiet (and free of phone numbers)

    return Handler
