"""Twilio Programmable Voice: a call runs the consultation with spoken prompts and keypad answers.

    call comes in ──> POST /voice/twilio            (step 0: resume or start, intro, first question)
    <Gather action="/voice/twilio?step=1"> ──> POST /voice/twilio?step=1 with Digits ──> next question ...
    <Record action="/voice/twilio?step=N"> ──> POST /voice/twilio?step=N with RecordingUrl, RecordingSid ──> next ...
    callback mode: the first POST is answered <Reject reason="busy"/>, and a job calls the citizen back
    (Twilio's Calls resource, bots/voice_client.py); that call's TwiML comes to the same URL.

Routes only: a step of a call is bots/voice_step.py, its TwiML bots/voice_twiml.py.

Facts this module depends on:
- Twilio signs voice webhooks exactly like SMS ones (bots/twilio_webhook.py), over the URL with its query.
- The citizen is `From` on a call they make (Direction=inbound) and `To` on a call we make
  (Direction=outbound-api); CallSid names the call for its whole life.
- Twilio waits 15 s for TwiML and retries a request that timed out, so one step can arrive twice:
  each step is stored under `<CallSid>:<step>` (InboundMessage.external_id), and a step seen before
  is answered with the question now pending, recording nothing again.
- A caller hears silence while we think: a step is one transaction of the shared inbound path.
- No phone number ever goes into a TwiML URL: action URLs carry only the step number.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Response, abort, request, send_file
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bots.twilio_webhook import signed_form
from bots.voice_audio import AUDIO_PATH, MIMETYPES, find_recording
from bots.voice_record import read_recording
from bots.voice_step import PATH, answer
from bots.voice_twiml import render_goodbye, render_reject
from flows.voice_prompts import words
from models import OutboundMessage, utcnow
from palabre import identity
from palabre.config import Config
from palabre.extensions import config, database
from palabre.inbound import after_commit
from palabre.voice_calls import request_callback
from workers.calls import queue_call

log = logging.getLogger(__name__)

bp = Blueprint("voice", __name__)

# Twilio's call statuses mapped onto a sent message's; queued, ringing, in-progress are steps we already know.
CALL_STATUSES = {"completed": "delivered", "busy": "undelivered", "no-answer": "undelivered",
                 "failed": "failed", "canceled": "failed"}
DELIVERY_RANK = {"sent": 1, "delivered": 2, "undelivered": 2, "failed": 2}
# Recordings never change under their URL (it is their hash): Twilio and proxies may keep them a year.
AUDIO_MAX_AGE_SECONDS = 365 * 24 * 3600


@bp.post(PATH)
def call() -> Response:
    """Answer one step of a call: the keys pressed go to the engine, the next question comes back as TwiML."""
    form = signed_form()
    call_sid = form.get("CallSid", "").strip()
    if not call_sid:
        abort(400, "CallSid is missing: point Twilio's 'A call comes in' webhook here, nothing else.")
    step = _step_number(request.args.get("step", "0"))
    outbound = form.get("Direction", "inbound").strip().startswith("outbound")
    settings = config()
    try:
        phone = identity.normalise_phone(form.get("To" if outbound else "From", "").strip(), settings.PHONE_REGION)
    except identity.InvalidAddress:
        # A withheld number ("Anonymous") or a SIP caller: nobody we can count or call back.
        log.warning("voice %s: caller is not a phone number; hung up", call_sid[:64])
        return _twiml(render_goodbye("voice_unavailable", words("unavailable", "fr") + " " + words("unavailable", "en"), "fr"))
    now = utcnow()
    try:
        if step == 0 and not outbound and settings.VOICE_CALLBACK:
            return _call_back(settings, call_sid, phone, now)
        # A connection, not a Session: every statement of a step is Core (as for SMS, bots/sms.py).
        with database().engine.connect() as connection:  # answer() commits; anything left is rolled back
            xml, outcomes = answer(connection, settings, call_sid, step, phone, form.get("Digits", ""), now, outbound,
                                   request.host_url.rstrip("/"), record_action="RecordingUrl" in form,
                                   recording=read_recording(form))
    except SQLAlchemyError as exc:
        # The type only: a database error's message can quote the citizen's number.
        log.error("voice %s step %d: database error %s", call_sid[:64], step, type(exc).__name__)
        return _twiml(render_goodbye("voice_unavailable", words("unavailable", "fr"), "fr"))
    for outcome in outcomes:
        after_commit(outcome)
    return _twiml(xml)


@bp.get(AUDIO_PATH + "<digest>.<suffix>")
def audio(digest: str, suffix: str) -> Response:
    """A recording, by the SHA-256 of its bytes: what <Play> fetches; nothing else is served here."""
    if len(digest) != 64 or not all(ch in "0123456789abcdef" for ch in digest):
        abort(404)
    settings = config()
    folders = (Path(settings.FLOWS_DIR), Path(settings.INSTANCE_DIR) / "recordings")
    path = next((found for folder in folders if (found := find_recording(folder, digest, f".{suffix.lower()}"))), None)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=MIMETYPES[path.suffix.lower()], max_age=AUDIO_MAX_AGE_SECONDS, conditional=True)
    response.cache_control.immutable = True
    response.cache_control.public = True
    return response


@bp.post(PATH + "/status")
def status() -> tuple[str, int]:
    """Record what became of a call we made: completed, busy, no answer, failed or canceled."""
    form = signed_form()
    call_sid, reported = form.get("CallSid", "").strip(), form.get("CallStatus", "").strip().lower()
    if not call_sid or not reported:
        abort(400, "CallSid and CallStatus are required: point only call status callbacks here.")
    new = CALL_STATUSES.get(reported)
    if new is None:
        return "", 200
    try:
        with database().session() as session:
            message = session.scalar(select(OutboundMessage).where(OutboundMessage.external_id == call_sid[:128]).with_for_update())
            if message is not None and DELIVERY_RANK[new] > DELIVERY_RANK.get(message.status, 0):
                message.status = new
                if new != "delivered":
                    message.error = f"Twilio call {reported}"
                session.commit()
    except SQLAlchemyError as exc:
        log.error("voice status %s: database error %s", call_sid[:64], type(exc).__name__)
        abort(503, "Database unavailable: the status was not recorded.")
    return "", 200


def _call_back(settings: Config, call_sid: str, phone: str, now: datetime) -> Response:
    """Callback mode: refuse the ringing call (free for the caller), and queue a call to them."""
    with database().session() as session:
        message_id = request_callback(session, settings, phone, call_sid, now)
        session.commit()
    if message_id is not None:
        queue_call(message_id)
    return _twiml(render_reject())


def _step_number(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 6:
        abort(400, "step must be a small whole number: it is set by our own TwiML's action URLs.")
    return int(raw)


def _twiml(xml: str) -> Response:
    return Response(xml, mimetype="application/xml")
