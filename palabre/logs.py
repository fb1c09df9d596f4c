"""Log lines as JSON (or text for a terminal), each carrying the id of the request that wrote it.

    {"ts": "2026-12-01T02:47:28.123+00:00", "level": "INFO", "logger": "palabre.request",
     "message": "POST /sms/twilio 200", "request_id": "5f0c…", "method": "POST", "path": "/sms/twilio",
     "status": 200, "duration_ms": 41.2}

A line written inside an RQ job has no request: it carries `job_id` instead.

Facts this module depends on:
- Reverse proxies and platforms tag each request with `X-Request-Id` (nginx's `$request_id`: 32 hex
  digits; Heroku's router: a UUID). Keeping theirs lets one request be followed from the proxy's log
  to ours; an absent or odd one (spaces, markup, over 128 characters) is replaced by a fresh id.
- Werkzeug's development server (`demo`, `flask run`) logs every request line at INFO, query string
  included, and USSD gateways call back with `?secret=`: query strings are withheld from its lines.
- Nothing here removes personal data from a message: callers never log a phone number, a Telegram
  id, a token or a message's text, and say `identity.mask(...)` or a pseudonym instead.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, Response, g, has_request_context, request
from rq import get_current_job

FORMATS = ("json", "text")
HEADER = "X-Request-Id"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
QUERY = re.compile(r"\?[^\s\"]*")
ANSI_STYLE = re.compile(r"\x1b\[[0-9;]*m")  # werkzeug colours its lines; a log collector shows the codes
# The attributes every LogRecord has: anything else was passed with `extra=` and is worth a field.
STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "request_id"}
request_log = logging.getLogger("palabre.request")


def init_app(app: Flask, level: str, fmt: str) -> None:
    """Send every log line to standard error in `fmt`, and give each request an id it echoes back."""
    configure(level, fmt)
    app.before_request(_start)
    app.after_request(_finish)


def configure(level: str, fmt: str) -> None:
    """Install the handler on the root logger at `level`, unless something else already logs there (pytest, a host)."""
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be {' or '.join(FORMATS)}, not {fmt!r}")
    logging.getLogger("werkzeug").addFilter(_without_query)
    root = logging.getLogger()
    for ours in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(ours)  # an earlier app in this process: the newest settings win
    if root.handlers:
        return  # as logging.basicConfig: whoever configured logging first keeps it
    handler = StderrHandler()
    handler.addFilter(_RequestId())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, then any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": ANSI_STYLE.sub("", record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in STANDARD_ATTRIBUTES and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # json.dumps escapes newlines: a stack trace stays on its one line.
        return json.dumps(entry, ensure_ascii=False, default=str)


def request_id() -> str | None:
    """The current request's id, or None outside a request."""
    return g.get("request_id") if has_request_context() else None


def _start() -> None:
    sent = request.headers.get(HEADER, "")
    g.request_id = sent if SANE_REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    identifier = request_id() or uuid.uuid4().hex  # a request that failed before _start ran
    response.headers[HEADER] = identifier
    elapsed = time.perf_counter() - g.get("request_started", time.perf_counter())
    # The path, never the query string: it can carry a shared secret.
    request_log.info("%s %s %s", request.method, request.path, response.status_code,
                     extra={"method": request.method, "path": request.path, "status": response.status_code,
                            "duration_ms": round(elapsed * 1000, 1)})
    return response


class _RequestId(logging.Filter):
    """Stamp each record with the id of the request being served (None elsewhere), and a job's with its RQ job id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        if record.request_id is None and not hasattr(record, "job_id"):
            job = get_current_job()  # a context variable RQ sets around each job: no Redis call
            if job is not None:
                record.job_id = job.id
        return True


class StderrHandler(logging.StreamHandler):
    """Write to whatever `sys.stderr` is now (as `logging.lastResort` does), not the one seen at start."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _without_query(record: logging.LogRecord) -> bool:
    if isinstance(record.args, tuple):
        record.args = tuple(QUERY.sub("?…", a) if isinstance(a, str) else a for a in record.args)
    return True
