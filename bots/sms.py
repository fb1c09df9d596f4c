"""Twilio SMS (and WhatsApp, see bots/whatsapp.py): the inbound webhook, answered inline with TwiML, and the
delivery status callback.

Facts this module depends on:
- Twilio posts form fields (MessageSid, From, To, Body, NumSegments, ...) and adds new ones
  without notice, so the signature is checked over every field received, never a fixed list.
- X-Twilio-Signature is base64(HMAC-SHA1(auth token, full URL + each POST field name and value,
  sorted by name)). When a Webhook Rule names a SharedKey, the request also carries
  X-Twilio-Webhooks-Signature-Settings and is signed with that key and the algorithm it names.
- Twilio waits 15 s for the answer, and sends each <Message> of the TwiML as its own SMS.
- One character outside GSM-7 (ç ê â î ô û ’ « ») makes a whole SMS UCS-2, 70 characters a part
  instead of 160: the engine's own words are rewritten with close GSM-7 ones (é è à ù É are GSM-7
  and kept); the flow's questions are sent as written (`flows cost` shows what they cost).
- With Advanced Opt-Out, Twilio adds OptOutType=STOP|START|HELP when the whole body is one of
  the (possibly localised) keywords, and sends its own confirmation.

Behind a TLS-terminating proxy the app sees http://internal-host/..., but Twilio signed the
public https URL: set PUBLIC_BASE_URL (the signature is then checked against it), or wrap the
app in werkzeug's ProxyFix so that request.url is the public one:
    from werkzeug.middleware.proxy_fix import ProxyFix
    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)
"""

from __future__ import annotations

import logging
import re
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bots import whatsapp
from bots.sms_split import fit_all
from bots.text import render_messages
from bots.twilio_webhook import signed_form as _signed_form
from flows.events import Event
from models import OutboundMessage, utcnow
from palabre import identity
from palabre.extensions import config, database
from palabre.inbound import Inbound, after_commit, handle_inbound
from palabre.sms_segments import to_gsm_friendly

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__)

# OptOutType as the text the engine understands: Twilio may have matched a keyword of its own list.
OPT_OUT_TYPES = {"STOP": "STOP", "START": "START", "HELP": "HELP"}
# Twilio's status callbacks mapped onto ours; queued, accepted, sending... are steps we already know.
DELIVERY_STATUSES = {"sent": "sent", "delivered": "delivered", "read": "delivered",
                     "undelivered": "undelivered", "failed": "failed", "canceled": "failed"}
# A late callback never moves a message back (callbacks can arrive out of order).
DELIVERY_RANK = {"sent": 1, "delivered": 2, "undelivered": 2, "failed": 2}
# Unicode's control characters (C0, DEL, C1) but tab and line breaks, and lone UTF-16 surrogates.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
TWIML_START = '<?xml version="1.0" encoding="UTF-8"?>'
UNAVAILABLE = "Service indisponible, renvoyez votre message plus tard. / Service unavailable, please send your message again later."


@bp.post("/sms/twilio")
def inbound() -> Response:
    """Answer a citizen's SMS: record it once, step their conversation, reply in TwiML."""
    form = _signed_form()
    message_sid, sender = form.get("MessageSid", "").strip(), form.get("From", "").strip()
    if not message_sid:
        abort(400, "MessageSid is missing: point Twilio's 'A message comes in' webhook here, nothing else.")
    if not sender:
        abort(400, "From is missing: an inbound SMS always names its sender.")
    settings = config()
    channel, number = whatsapp.split_sender(sender)  # WhatsApp comes to this webhook too, as whatsapp:+E164
    try:
        address = identity.normalise_phone(number, settings.PHONE_REGION)
    except identity.InvalidAddress as exc:
        # A short code or an alphanumeric sender id: genuine (signed) but nobody we can answer.
        log.warning("sms %s: sender is not a phone number (%s); not answered", message_sid[:64], exc)
        return _twiml([])
    opt_out_type = form.get("OptOutType", "").strip().upper()
    text = OPT_OUT_TYPES.get(opt_out_type) or clean_text(form.get("Body", ""))
    now = utcnow()
    try:
        # A connection, not a Session: every statement of the path is Core, and the Session's own begin,
        # commit and close took a tenth of the webhook's CPU (py-spy over bench/webhooks.py's mixed load).
        # handle_inbound records the replies it renders with the rest of the turn.
        with database().engine.connect() as connection, connection.begin():  # commits at the end of the block
            outcome = handle_inbound(connection, settings, Inbound(channel, identity.TEL, address, text, external_id=message_sid),
                                     now, render=lambda events: _replies(channel, events, settings.SMS_MAX_SEGMENTS, opt_out_type))
    except SQLAlchemyError as exc:
        # Nothing was stored, and Twilio does not retry: ask the citizen to send it again later.
        # The type only: a database error's message can quote the citizen's number or text.
        log.error("sms %s: database error %s; answered 'unavailable'", message_sid[:64], type(exc).__name__)
        return _twiml([UNAVAILABLE])
    after_commit(outcome)
    return _twiml(outcome.replies or [])


@bp.post("/sms/twilio/status")
def status() -> tuple[str, int]:
    """Record what became of a message we sent: sent, delivered, undelivered or failed."""
    form = _signed_form()
    message_sid = form.get("MessageSid", "").strip()
    reported = form.get("MessageStatus", "").strip().lower()
    if not message_sid or not reported:
        abort(400, "MessageSid and MessageStatus are required: point only status callbacks here.")
    new = DELIVERY_STATUSES.get(reported)
    if new is None:
        return "", 200
    try:
        with database().session() as session:
            message = session.scalar(select(OutboundMessage).where(OutboundMessage.external_id == message_sid[:128]).with_for_update())
            if message is not None and DELIVERY_RANK[new] > DELIVERY_RANK.get(message.status, 0):
                message.status = new
                error_code = form.get("ErrorCode", "").strip()
                if new in ("undelivered", "failed"):
                    message.error = f"Twilio {reported}" + (f", error {error_code[:16]}" if error_code else "")
                session.commit()
    except SQLAlchemyError as exc:
        log.error("sms status %s: database error %s", message_sid[:64], type(exc).__name__)
        abort(503, "Database unavailable: the status was not recorded.")
    return "", 200


def _replies(channel: str, events: list[Event], max_segments: int, opt_out_type: str) -> list[str]:
    """TwiML replies: SMS within the segment budget, in GSM-7 where the engine's words allow; WhatsApp as written."""
    if opt_out_type == "STOP":  # Twilio has confirmed the opt-out itself, and blocks our replies
        return []
    if channel == whatsapp.CHANNEL:
        return whatsapp.replies(events)
    return fit_all(render_messages(events, system=to_gsm_friendly), max_segments)


def clean_text(text: str) -> str:
    """The body without control characters (PostgreSQL refuses NUL) or lone surrogates."""
    return CONTROL_CHARACTERS.sub("", text)


def messaging_twiml(texts: list[str]) -> str:
    """The TwiML of these replies, byte for byte what twilio's MessagingResponse writes, at a fraction of its CPU."""
    # MessagingResponse builds an ElementTree for every message; this runs on every inbound SMS.
    if not texts:
        return TWIML_START + "<Response />"
    return TWIML_START + "<Response>" + "".join(f"<Message>{escape(text)}</Message>" if text else "<Message />"
                                                for text in texts) + "</Response>"


def _twiml(texts: list[str]) -> Response:
    return Response(messaging_twiml(texts), mimetype="application/xml")
