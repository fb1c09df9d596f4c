"""Twilio Programmable Voice: a call runs the consultation with spoken prompts and keypad answers.

    call comes in ──> POST /voice/twilio            (step 0: resume or start, intro, first question)
    <Gather action="/voice/twilio?step=1"> ──> POST /voice/twilio?step=1 with Digits ──> next question ...
    callback mode: the first POST is answered <Reject reason="busy"/>, and a job calls the citizen back
    (Twilio's Calls resource, bots/voice_client.py); that call's TwiML comes to the same URL.

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
from sqlalchemy.orm import Session

from bots.text import render_messages
from bots.twilio_webhook import signed_form
from bots.ussd_session import find_participant
from bots.voice_audio import AUDIO_PATH, MIMETYPES, FlowRecordings, find_recording
from bots.voice_keys import HELP, ONE_KEY_KINDS, REPEAT, STOP, read_keys
from bots.voice_twiml import NoRecordings, Recordings, render, render_goodbye, render_question, render_reject
from flows import engine
from flows.model import Flow
from flows.state import ACTIVE, State
from flows.voice_prompts import words
from flows.events import Ask, OptedOut
from models import Conversation, InboundMessage, OutboundMessage, Participant, utcnow
from palabre import identity
from palabre.config import Config
from palabre.consultations import flow_of
from palabre.extensions import config, database
from palabre.inbound import Inbound, Outcome, after_commit, handle_inbound
from palabre.outbound import record_inline_replies
from palabre.recordings import uploaded
from palabre.voice_calls import invited_to, request_callback
from workers.calls import queue_call

log = logging.getLogger(__name__)

bp = Blueprint("voice", __name__)

CHANNEL = "voice"
PATH = "/voice/twilio"
# A flow's free-text questions cannot be answered on a keypad: each is passed over with the
# engine's own skip word (an optional one is skipped; a required one, after its tries, is
# recorded as not understood), at most this many times in one step.
SKIP_WORD = "skip"
MAX_SKIPS = 30
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
        with database().session() as session:
            xml, outcomes = answer(session, settings, call_sid, step, phone, form.get("Digits", ""), now, outbound)
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


def answer(session: Session, settings: Config, call_sid: str, step: int, phone: str, digits: str,
           now: datetime, outbound: bool = False) -> tuple[str, list[Outcome]]:
    """The TwiML for one step of a call, and the outcomes to act on once committed; the step is applied once."""
    action = f"{PATH}?step={step + 1}"
    key = f"{call_sid}:{step}"
    if _seen(session, key):  # Twilio retried a step we took: never read its keys a second time
        return _again(session, settings, phone, action), []
    text, consultation, shown = "", None, None
    if step == 0 and outbound:  # a call we placed to invite them: to that consultation
        consultation = invited_to(session, call_sid)
    if step > 0:
        shown = _pending(session, settings, phone)
        if shown is None:
            return _again(session, settings, phone, action), []
        flow, ask, language, _conversation = shown
        keys = read_keys(digits, ask.kind)
        if keys.command == REPEAT:
            return render_question(ask, language, action, _recordings(settings, flow)), []
        if keys.command == HELP:
            return render_question(ask, language, action, _recordings(settings, flow), before=_help(ask, language)), []
        text = "STOP" if keys.command == STOP else keys.text
    outcome = handle_inbound(session, settings, Inbound(CHANNEL, identity.TEL, phone, text, external_id=key,
                                                        consultation=consultation, new_session=step == 0), now)
    if outcome.duplicate:  # the same step, taken meanwhile by another process (or a flood of calls)
        session.rollback()
        return _again(session, settings, phone, action), []
    outcomes, events = [outcome], list(outcome.events)
    while not outcomes[-1].finished and _asks_text(events) and len(outcomes) <= MAX_SKIPS:
        skipped = handle_inbound(session, settings, Inbound(CHANNEL, identity.TEL, phone, SKIP_WORD,
                                                            external_id=f"{key}:skip{len(outcomes)}"), now)
        outcomes.append(skipped)
        events = [event for event in events if not isinstance(event, Ask)] + skipped.events  # never said: passed over
    language = next((o.language for o in reversed(outcomes) if o.language), None) or _language(session, outcome)
    same = shown is not None and shown[3] == outcomes[-1].conversation_id  # the flow read above: no second read
    recordings = _recordings(settings, shown[0] if same else _flow_of(session, outcomes[-1].conversation_id))  # type: ignore[index]
    if not events:  # someone who opted out: the shared path stays silent, a call must say something
        session.commit()
        return render_goodbye("voice_already_out", words("already_out", language), language, recordings), []
    if any(isinstance(event, OptedOut) for event in events):
        xml = render_goodbye("voice_opted_out", words("opted_out", language), language, recordings)
    else:
        xml = render(events, language, action, recordings)
    record_inline_replies(session, outcome.participant_id, CHANNEL, ["\n".join(render_messages(events))],  # type: ignore[arg-type]
                          outcomes[-1].conversation_id, outcome.inbound_id, now)
    session.commit()
    return xml, outcomes


def _call_back(settings: Config, call_sid: str, phone: str, now: datetime) -> Response:
    """Callback mode: refuse the ringing call (free for the caller), and queue a call to them."""
    with database().session() as session:
        message_id = request_callback(session, settings, phone, call_sid, now)
        session.commit()
    if message_id is not None:
        queue_call(message_id)
    return _twiml(render_reject())


def _seen(session: Session, key: str) -> bool:
    return session.scalar(select(InboundMessage.id).where(InboundMessage.channel == CHANNEL,
                                                          InboundMessage.external_id == key)) is not None


def _again(session: Session, settings: Config, phone: str, action: str) -> str:
    """A step with nothing new: the question now pending, or goodbye when nothing is."""
    participant = find_participant(session, settings, phone)
    shown = _pending(session, settings, phone, participant)
    if shown is not None:
        flow, ask, language, _conversation = shown
        return render_question(ask, language, action, _recordings(settings, flow))
    language = _latest_language(session, participant.id) if participant is not None else "fr"
    recordings = _recordings(settings, _flow_of(session, _latest_conversation(session, participant)))
    if participant is not None and participant.opted_out:
        return render_goodbye("voice_opted_out", words("opted_out", language), language, recordings)
    return render_goodbye("voice_goodbye", words("goodbye", language), language, recordings)


def _pending(session: Session, settings: Config, phone: str,
             participant: Participant | None = None) -> tuple[Flow, Ask, str, int] | None:
    """The flow, question, language and id of the conversation a caller's call waits on, if any."""
    participant = participant or find_participant(session, settings, phone)
    conversation = session.get(Conversation, _latest_conversation(session, participant)) if participant else None
    if conversation is None or conversation.status != ACTIVE:
        return None
    state = State.from_json(conversation.state)
    if state.current is None:
        return None
    flow = flow_of(conversation.consultation)
    return flow, engine.ask(flow, state, flow.question(state.current)), state.language, conversation.id


def _latest_conversation(session: Session, participant: Participant | None) -> int | None:
    if participant is None:
        return None
    return session.scalar(select(Conversation.id).where(Conversation.participant_id == participant.id)
                          .order_by(Conversation.id.desc()).limit(1))


def _flow_of(session: Session, conversation_id: int | None) -> Flow | None:
    conversation = session.get(Conversation, conversation_id) if conversation_id else None
    return flow_of(conversation.consultation) if conversation is not None else None


def _recordings(settings: Config, flow: Flow | None) -> Recordings:
    """The flow's recordings, as URLs under this site (Twilio fetches them), or none."""
    if flow is None:
        return NoRecordings()
    uploads = uploaded(settings.INSTANCE_DIR, flow.id)
    if not (uploads or flow.audio or flow.voice_languages or any(q.audio for q in flow.questions)):
        return NoRecordings()
    base = settings.PUBLIC_BASE_URL or request.host_url.rstrip("/")
    return FlowRecordings(flow, Path(settings.FLOWS_DIR), base, uploads)


def _help(ask: Ask, language: str) -> tuple[tuple[str, str], ...]:
    how = "help_one_key" if ask.kind in ONE_KEY_KINDS else "help_number" if ask.kind == "number" else "help_multi"
    return (f"voice_{how}", words(how, language)), ("voice_keys", words("keys", language))


def _asks_text(events: list) -> bool:
    asks = [event for event in events if isinstance(event, Ask)]
    return bool(asks) and asks[-1].kind == "text"


def _language(session: Session, outcome: Outcome) -> str:
    return _latest_language(session, outcome.participant_id) if outcome.participant_id else "fr"


def _latest_language(session: Session, participant_id: int) -> str:
    language = session.scalar(select(Conversation.language).where(Conversation.participant_id == participant_id)
                              .order_by(Conversation.id.desc()).limit(1))
    return language or "fr"


def _step_number(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 6:
        abort(400, "step must be a small whole number: it is set by our own TwiML's action URLs.")
    return int(raw)


def _twiml(xml: str) -> Response:
    return Response(xml, mimetype="application/xml")
