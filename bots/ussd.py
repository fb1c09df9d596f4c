"""USSD webhooks: `POST /ussd/<gateway>` answers each request of a USSD session with its next screen.

    gateway request --dialect.parse--> UssdRequest --answer()--> Screen --dialect.respond--> response
                                                       |
                         pager key on a paged menu: redraw a page (nothing stored)
                         anything else: palabre.inbound.handle_inbound, then the first page

Session state: Africa's Talking repeats every input of the session in each request, and the
shared path already stores each input the engine takes under a unique key naming the caller and
the session (bots/ussd_session.py), so two phones never share a session whatever ids they send.
The new input is whatever comes after the highest position stored for this session, so a
retried or duplicated request (same position) changes nothing and gets its first screen back,
and a late one (a lower position) cannot overtake. The menu page is not stored either: it is
replayed from the pager keys typed since that position (Hubtel echoes it in ClientState).
So every web process and every restart agrees, without Redis, an in-process cache or a table.
Cost: a few indexed reads per request on top of the shared path (p50 ~6 ms on SQLite, ~10 ms on PostgreSQL).
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Blueprint, abort, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bots.ussd_dialects import BadUssdRequest, UssdRequest, africastalking, hubtel
from bots.ussd_guard import refusal
from bots.ussd_pager import is_pager_key, resolve
from bots.ussd_screen import Screen, page_count, render_page, screen_for
from bots.ussd_session import (CHANNEL, caller_of, external_id, find_participant, handled_position, pending_question,
                               stored_screen)
from models import Participant, utcnow
from palabre import identity
from palabre.config import Config
from palabre.extensions import config, database
from palabre.inbound import Inbound, after_commit, handle_inbound
from palabre.outbound import record_inline_replies

log = logging.getLogger(__name__)

DIALECTS = {"africastalking": africastalking, "hubtel": hubtel}

BAD_NUMBER = "Numero de telephone non reconnu. / Phone number not recognised."
OPTED_OUT = "Vous avez demande STOP. Envoyez START par SMS pour revenir. / You opted out. Text START to come back."
SESSION_OVER = "Session terminee. Composez a nouveau pour continuer. / Session over. Dial again to continue."
UNAVAILABLE = "Service indisponible, reessayez plus tard. / Service unavailable, please try again later."
ABOUT = "Consultation citoyenne: composez le code pour repondre. / Citizen consultation: dial the code to answer."

bp = Blueprint("ussd", __name__, url_prefix="/ussd")


@bp.post("/<gateway>")
def webhook(gateway: str):
    """Answer one USSD request from a gateway with the next screen."""
    dialect = DIALECTS.get(gateway)
    if dialect is None:
        abort(404, "unknown USSD gateway")
    reason = refusal(request, config())
    if reason is not None:
        log.warning("ussd %s: refused a call from %s: %s", gateway, request.remote_addr, reason)
        abort(403, reason)
    try:
        ussd = dialect.parse(request)
    except BadUssdRequest as exc:
        abort(400, str(exc))
    if ussd.closing:
        return dialect.respond(Screen("", end=True), ussd)
    if ussd.query:
        return dialect.respond(Screen(ABOUT, end=True), ussd)
    try:
        screen = answer(ussd, config(), utcnow())
    except SQLAlchemyError as exc:
        # The type only: a database error's message can quote the citizen's number or text.
        log.error("ussd %s: database error %s", gateway, type(exc).__name__)
        screen = Screen(UNAVAILABLE, end=True)
    return dialect.respond(screen, ussd)


def answer(ussd: UssdRequest, settings: Config, now: datetime) -> Screen:
    """The screen answering a USSD request: a menu page, the engine's reply, or a retried request's own."""
    try:
        phone = identity.normalise_phone(ussd.phone, settings.PHONE_REGION)
    except identity.InvalidAddress:
        return Screen(BAD_NUMBER, end=True)
    log.info("ussd %s session %s input %d from %s", ussd.dialect, ussd.session_id[:40], ussd.position, identity.mask(phone))
    caller = caller_of(settings, phone)
    with database().session() as session:
        participant = find_participant(session, settings, phone)
        handled = handled_position(session, participant.id if participant else None, ussd, caller)
        if handled >= ussd.position:  # a retry, a duplicate or a late request: nothing new
            return _again(session, settings, ussd, phone, caller)
        if ussd.new or handled < 0:
            # The first request we see of a session resumes the conversation: digits dialled with
            # the code (*384*12*3#) or inputs of a request we never saw are not taken as answers.
            return _step(session, settings, ussd, phone, caller, "", now, new_session=True)
        pending = [text for position, text in ussd.inputs if position > handled]
        shown = None
        if ussd.page or len(pending) > 1 or is_pager_key(pending[0]):
            shown = pending_question(session, participant)
        page, text = resolve(pending, ussd.page, page_count(*shown) if shown else 1)
        if text is None and shown is not None:
            return Screen(render_page(shown[0], page, shown[1]), page=page)
        return _step(session, settings, ussd, phone, caller, text or "", now, new_session=False)


def _step(session: Session, settings: Config, ussd: UssdRequest, phone: str, caller: str, text: str, now: datetime,
          new_session: bool) -> Screen:
    """Hand one input to the shared inbound path and store the screen it gets."""
    inbound = Inbound(channel=CHANNEL, scheme=identity.TEL, address=phone, text=text,
                      external_id=external_id(ussd, caller, ussd.position), new_session=new_session)
    outcome = handle_inbound(session, settings, inbound, now)
    if outcome.duplicate:  # the same request, handled meanwhile by another process
        session.rollback()
        return _again(session, settings, ussd, phone, caller)
    if handled_position(session, outcome.participant_id, ussd, caller) > ussd.position:
        session.rollback()  # a later input of this session got in first: never apply answers out of order
        return _again(session, settings, ussd, phone, caller)
    if not outcome.events:  # the participant opted out: the shared path stays silent, USSD must answer
        session.commit()
        return Screen(OPTED_OUT, end=True)
    screen = screen_for(outcome.events, outcome.language, outcome.finished)
    record_inline_replies(session, outcome.participant_id, CHANNEL, [screen.text], outcome.conversation_id,
                          outcome.inbound_id, now)  # type: ignore[arg-type]
    session.commit()
    after_commit(outcome)
    return screen


def _again(session: Session, settings: Config, ussd: UssdRequest, phone: str, caller: str) -> Screen:
    """The screen for a request with nothing new: the one this caller already got, else where things stand."""
    participant = find_participant(session, settings, phone)
    stored = stored_screen(session, ussd, caller, participant)
    if stored is not None:
        return stored
    return _current(session, participant)


def _current(session: Session, participant: Participant | None) -> Screen:
    """Where a participant stands: the first page of their pending question, or a closing screen."""
    if participant is not None and participant.opted_out:
        return Screen(OPTED_OUT, end=True)
    shown = pending_question(session, participant)
    if shown is None:
        return Screen(SESSION_OVER, end=True)
    return Screen(render_page(shown[0], 0, shown[1]))
