"""Logs are JSON lines carrying their request's id, and name no citizen: no phone number, no message text."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import threading
import urllib.error
import urllib.request

import pytest
import redis
from rq import Queue, SimpleWorker
from werkzeug.serving import make_server

from app import create_app
from fakes.twilio_requests import payload, post_signed, twilio_settings
from palabre.logs import StderrHandler

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PHONE = "+447700900123"
# Every SMS of a complete French conversation; the last is a comment no log may quote.
COMMENT = "Le bureau de Yopougon ferme trop tot"
ANSWERS = ["AVIS", "1", "oui", "nord", "femme", "34", "aucune", "1h30", "2",
           "beaucoup", "beaucoup", "beaucoup", "2", "1", "1 3", "1", COMMENT]


@pytest.fixture
def bare_root():
    """The root logger as in production, where the app installs its own handler: pytest's are taken off (call it again after a phase began)."""
    root = logging.getLogger()
    level = root.level

    def bare() -> None:
        for handler in root.handlers[:]:
            root.removeHandler(handler)  # pytest's handler for this phase; it adds a new one for the next

    bare()
    yield bare
    for handler in root.handlers[:]:
        if isinstance(handler, StderrHandler):
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def settings(settings, bare_root):
    """Twilio configured, INFO level, JSON lines: what a production deployment logs at its most verbose."""
    return twilio_settings(settings).replace(LOG_LEVEL="INFO", LOG_FORMAT="json")


def lines(capsys) -> list[dict]:
    """Every line written to standard error, each of which must be a JSON object."""
    text = capsys.readouterr().err
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_a_request_logs_one_json_line_with_its_request_id_which_the_response_echoes(client, capsys):
    capsys.readouterr()
    response = client.get("/healthz", headers={"X-Request-Id": "edge-7f3a9c"})
    assert response.headers["X-Request-Id"] == "edge-7f3a9c"
    [line] = [entry for entry in lines(capsys) if entry["logger"] == "palabre.request"]
    assert line["request_id"] == "edge-7f3a9c" and line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", response.status_code)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["ts"])
    assert line["message"] == f"GET /healthz {response.status_code}"


@pytest.mark.parametrize("sent", ["", "two words", "x" * 200, "id;rm -rf", "<script>", "ünïcode"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_fresh_one(client, capsys, sent):
    response = client.get("/healthz", headers={"X-Request-Id": sent} if sent else {})
    echoed = response.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", echoed)
    [line] = [entry for entry in lines(capsys) if entry["logger"] == "palabre.request"]
    assert line["request_id"] == echoed
    assert client.get("/healthz").headers["X-Request-Id"] != echoed, "one id per request"


def test_a_whole_sms_conversation_at_info_level_names_no_number_and_quotes_no_message(loaded, client, capsys):
    capsys.readouterr()
    for number, text in enumerate(ANSWERS):
        form = payload("inbound_sms", Body=text, From=PHONE, MessageSid=f"SM{number:032d}")
        response = post_signed(client, "/sms/twilio", form)
        assert response.status_code == 200
    written = capsys.readouterr().err
    entries = [json.loads(line) for line in written.splitlines()]
    requests = [e for e in entries if e["logger"] == "palabre.request"]
    assert len(requests) == len(ANSWERS) and len({e["request_id"] for e in requests}) == len(ANSWERS)
    assert any(e["logger"] == "palabre.inbound" for e in entries), "the service logs at INFO too"
    for secret in (PHONE, PHONE.lstrip("+"), PHONE[3:], PHONE[-7:], COMMENT, "Yopougon", "beaucoup"):
        assert secret not in written, secret
    # Each line of a request carries that request's id.
    ids = {e["request_id"] for e in requests}
    assert all(e["request_id"] in ids for e in entries if e["logger"] != "palabre.request")


def test_the_development_server_logs_no_query_string(app, capsys):
    # USSD gateways call back with ?secret=USSD_SHARED_SECRET; werkzeug logs every request line at INFO.
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz?secret=s3cret-from-the-gateway") as answer:
            assert answer.status == 200
        with pytest.raises(urllib.error.HTTPError):  # werkzeug paints a 404's line yellow
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/nowhere?secret=s3cret-from-the-gateway")
    finally:
        server.shutdown()
        thread.join()
    entries = lines(capsys)
    served = [e for e in entries if e["logger"] == "werkzeug"]
    assert '"GET /healthz?… HTTP/1.1" 200' in served[-2]["message"]
    assert '"GET /nowhere?… HTTP/1.1" 404' in served[-1]["message"], "no colour codes in a JSON line"
    assert not any("s3cret" in json.dumps(e) for e in entries)


def write_a_line(number: int) -> None:
    """A job that logs, as every job of workers/ may."""
    logging.getLogger("palabre.test").info("job line %d", number)


def test_a_line_written_in_a_job_carries_the_job_id(app, capsys):
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    queue = Queue(f"logs-test-{secrets.token_hex(4)}", connection=connection)
    try:
        job = queue.enqueue(write_a_line, 7)
        SimpleWorker([queue], connection=connection).work(burst=True)
    finally:
        queue.delete(delete_jobs=True)
    [line] = [e for e in lines(capsys) if e["logger"] == "palabre.test"]
    assert (line["message"], line["job_id"], line["request_id"]) == ("job line 7", job.id, None)


def test_text_lines_for_a_terminal_carry_the_request_id_too(settings, bare_root, capsys):
    bare_root()
    client = create_app(settings.replace(LOG_FORMAT="text")).test_client()
    capsys.readouterr()
    client.get("/healthz", headers={"X-Request-Id": "term-42"})
    [line] = [l for l in capsys.readouterr().err.splitlines() if "palabre.request" in l]
    assert re.fullmatch(r"\S+ \S+ INFO palabre\.request \[term-42\] GET /healthz \d{3}", line)


def test_an_unknown_log_format_stops_the_app_with_a_clear_message(settings):
    with pytest.raises(ValueError, match="LOG_FORMAT must be json or text, not 'yaml'"):
        create_app(settings.replace(LOG_FORMAT="yaml"))
