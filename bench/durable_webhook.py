"""The durable baseline of bench/webhooks.py's mixed load: a hand-written SMS webhook keeping the app's guarantees, nothing more.

The Twilio signature checked, the message recorded once under its MessageSid, the sender's state
locked and updated, the reply recorded, all committed before the TwiML answer: what any durable
webhook must pay for on this machine, with psycopg and no engine, ORM or channel logic. It runs
under the same gunicorn settings as the app (`bench.durable_webhook:app`), in its own schema of
the bench database (`durable`, created by `create_schema`).
"""

from __future__ import annotations

import os
from xml.sax.saxutils import escape

import psycopg
from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator

SCHEMA = """
CREATE SCHEMA IF NOT EXISTS durable;
CREATE TABLE IF NOT EXISTS durable.messages (id bigserial PRIMARY KEY, sid text NOT NULL UNIQUE, sender text NOT NULL,
    body text NOT NULL, received_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS durable.senders (sender text PRIMARY KEY, step integer NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS durable.replies (id bigserial PRIMARY KEY, message_id bigint NOT NULL REFERENCES durable.messages,
    body text NOT NULL, sent_at timestamptz NOT NULL DEFAULT now());
TRUNCATE durable.replies, durable.senders, durable.messages;
"""

app = Flask(__name__)
_connection: psycopg.Connection | None = None  # one per gunicorn worker, opened after the fork


def create_schema(url: str) -> None:
    """Create the baseline's tables in the database at `url`, empty."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(SCHEMA)


@app.post("/sms/twilio")
def sms() -> Response:
    """Check, record once, lock and update the sender, record the reply, commit, answer."""
    form = request.form
    if not RequestValidator(os.environ["TWILIO_AUTH_TOKEN"]).validate(request.url, form, request.headers.get("X-Twilio-Signature", "")):
        abort(403)
    sid, sender, body = form["MessageSid"], form["From"], form.get("Body", "")
    db = _db()
    try:
        message = db.execute("INSERT INTO durable.messages (sid, sender, body) VALUES (%s, %s, %s) "
                             "ON CONFLICT (sid) DO NOTHING RETURNING id", (sid, sender, body)).fetchone()
        if message is None:  # a retry of a message already answered
            db.rollback()
            return _twiml("")
        state = db.execute("SELECT step FROM durable.senders WHERE sender = %s FOR UPDATE", (sender,)).fetchone()
        step = 1 if state is None else state[0] + 1
        if state is None:  # a first message; a racing one waits on the key, then counts on
            step = db.execute("INSERT INTO durable.senders VALUES (%s, 1, now()) ON CONFLICT (sender) DO UPDATE "
                              "SET step = senders.step + 1, updated_at = now() RETURNING step", (sender,)).fetchone()[0]
        else:
            db.execute("UPDATE durable.senders SET step = %s, updated_at = now() WHERE sender = %s", (step, sender))
        reply = f"Question {step}: {body[:40]}"
        db.execute("INSERT INTO durable.replies (message_id, body) VALUES (%s, %s)", (message[0], reply))
        db.commit()
    except psycopg.Error:
        db.rollback()
        abort(503)
    return _twiml(reply)


def _db() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"])
    return _connection


def _twiml(text: str) -> Response:
    message = f"<Message>{escape(text)}</Message>" if text else ""
    return Response(f'<?xml version="1.0" encoding="UTF-8"?><Response>{message}</Response>', mimetype="application/xml")
