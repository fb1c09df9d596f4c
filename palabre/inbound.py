"""Handle one inbound message from any channel: find the participant, step the engine, save the result.

Channels call `handle_inbound` with a neutral `Inbound` and render the events it returns.
Everything between the webhook and the engine lives here, written once for SMS, USSD and Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from flows import engine
from flows.answers import match_global_command, match_start_command
from flows.events import Event, OptedOut, Say
from flows.messages import message
from flows.model import Flow
from flows.state import ACTIVE, COMPLETED, OPTED_OUT, State
from models import Conversation, Participant
from palabre import flood, identity
from palabre.config import Config
from palabre import inbound_store as store
from palabre.consultations import flow_by_hash, open_by_slug, open_for_message
from palabre.outbound import record_inline_replies
from palabre.signals import response_completed

NOTHING_OPEN = "Aucune consultation n'est ouverte pour le moment. / No consultation is open at the moment."


@dataclass(frozen=True)
class Inbound:
    """A message as every channel sees it."""

    channel: str  # sms, ussd, telegram, chat
    scheme: str  # identity.TEL or identity.TELEGRAM
    address: str  # already normalised by the channel
    text: str
    external_id: str | None = None  # the platform's message id, for idempotency
    consultation: str | None = None  # slug asked for explicitly (Telegram deep link, CLI)
    language: str | None = None  # a channel's hint (Telegram's language_code)
    new_session: bool = False  # a fresh USSD dial: resume instead of answering
    switch_language: bool = False  # make `language` the conversation's language (Telegram /lang)


@dataclass
class Outcome:
    """What came of an inbound message: the events to render, and where they belong."""

    events: list[Event] = field(default_factory=list)
    duplicate: bool = False  # already handled (or throttled): the channel answers nothing new
    throttled: bool = False  # over the per-sender flood limit (palabre/flood.py)
    participant_id: int | None = None
    conversation_id: int | None = None
    inbound_id: int | None = None
    language: str | None = None
    finished: bool = False  # the conversation is over (USSD ends the session)
    completed_consultation_id: int | None = None  # set when this message completed a response
    replies: list[str] | None = None  # the texts `render` made of the events, recorded as sent (None: not asked for)


def after_commit(outcome: Outcome) -> None:
    """Start the work a stored message triggers, once its transaction is committed (jobs read the database)."""
    if outcome.completed_consultation_id is not None:
        response_completed.send(outcome.completed_consultation_id)


def handle_inbound(session: Session | Connection, config: Config, inbound: Inbound, now: datetime,
                   render: Callable[[list[Event]], list[str]] | None = None) -> Outcome:
    """Record an inbound message once and answer it; the caller commits.

    `session` is a Session (its pending changes are flushed first, and its copies of the rows written are
    expired after) or a Connection in a transaction: every statement here is Core, on its connection.
    `render`, for a channel that answers inline (TwiML), turns the events into the texts it answers: they
    are recorded as sent replies in the same transaction (with the turn's last statement where the
    database allows) and set on `outcome.replies`.
    """
    # PostgreSQL text cannot hold NUL, and no channel means a control character as an answer.
    inbound = replace(inbound, text=_printable(inbound.text),
                      external_id=_printable(inbound.external_id)[:128] if inbound.external_id is not None else None)
    sender = identity.address_hash(config.PSEUDONYM_KEY, inbound.scheme, inbound.address)
    if not flood.allow(sender, now.timestamp(), config.REDIS_URL):
        return Outcome(duplicate=True, throttled=True)  # a machine, not a person: nothing stored, nothing answered
    if isinstance(session, Connection):
        return _handle(session, config, inbound, sender, now, render)
    session.flush()  # a caller's pending ORM changes (an opt-out, a participant) first: ours are Core statements
    outcome = _handle(session.connection(), config, inbound, sender, now, render)
    for model, key in ((Conversation, outcome.conversation_id), (Participant, outcome.participant_id)):
        held = session.identity_map.get(session.identity_key(model, key)) if key is not None else None
        if held is not None:
            session.expire(held)  # written by our statements under the ORM's feet
    return outcome


def _handle(connection: Connection, config: Config, inbound: Inbound, sender: str, now: datetime,
            render: Callable[[list[Event]], list[str]] | None) -> Outcome:
    if inbound.external_id is None:
        live, inbound_id = store.lock_live(connection, inbound.scheme, sender), None
    else:
        live, inbound_id = store.lock_and_record(connection, inbound.scheme, sender, inbound.channel, inbound.external_id,
                                                 inbound.text[:2000], now)
        if inbound_id is None:
            return Outcome(duplicate=True)
    if live is None or engine.is_idle(live.state, now.timestamp(), config.CONVERSATION_IDLE_HOURS * 3600):
        outcome = _general(connection, config, inbound, sender, now, inbound_id, render)
        if render is not None and outcome.replies is None:  # the general path's other turns: their replies on their own
            outcome.replies = render(outcome.events)
            if outcome.replies:
                record_inline_replies(connection, outcome.participant_id, inbound.channel, outcome.replies,  # type: ignore[arg-type]
                                      outcome.conversation_id, inbound_id, now)
        return outcome
    # The common case, someone answering mid-conversation: the message is already linked to the conversation.
    outcome = Outcome(participant_id=live.participant_id, conversation_id=live.conversation_id, inbound_id=inbound_id)
    flow = flow_by_hash(connection, live.consultation_id, live.flow_sha256)
    return _continue(connection, outcome, flow, live.state, live.consultation_id, inbound, now, render=render)


def _general(connection: Connection, config: Config, inbound: Inbound, sender: str, now: datetime,
             inbound_id: int | None, render: Callable[[list[Event]], list[str]] | None) -> Outcome:
    """Everyone else: first contact, opted out (or opting back in), expired or finished conversations."""
    participant_id, opted_out_at = store.find_or_create_participant(connection, config.PSEUDONYM_KEY, inbound.scheme,
                                                                    inbound.address, sender, now)
    outcome = Outcome(participant_id=participant_id, inbound_id=inbound_id)
    opted_in = False
    if opted_out_at is not None:
        if not match_start_command(inbound.text):
            return _link(connection, outcome, inbound, keep_text=False)  # honoured for good: not even the text is kept
        store.set_opted_out(connection, participant_id, None)
        opted_in = True
    latest = store.latest_conversation(connection, participant_id)
    conversation = latest if latest is not None and latest.status == (OPTED_OUT if opted_in else ACTIVE) else None
    if conversation is not None and _expired(connection, conversation, now, config.CONVERSATION_IDLE_HOURS):
        conversation = None
    if conversation is None:
        if match_global_command(inbound.text) == "stop":
            return _opt_out(connection, outcome, latest, inbound, now)
        return _start(connection, outcome, inbound, now, opted_in)
    outcome.conversation_id = conversation.id
    flow = flow_by_hash(connection, conversation.consultation_id, conversation.flow_sha256)
    _continue(connection, outcome, flow, conversation.state, conversation.consultation_id, inbound, now, opted_in=opted_in,
              render=render)
    return _link(connection, outcome, inbound, keep_text=True)


def _continue(connection: Connection, outcome: Outcome, flow: Flow, state: State, consultation_id: int, inbound: Inbound,
              now: datetime, opted_in: bool = False, render: Callable[[list[Event]], list[str]] | None = None) -> Outcome:
    """Take a message as the next turn of the outcome's conversation, and save what the engine decided (and the replies)."""
    if opted_in:
        state, events = engine.opt_in(flow, state, now.timestamp())
    elif inbound.switch_language and inbound.language:
        state, events = engine.set_language(flow, state, inbound.language, now.timestamp())
    elif inbound.new_session or match_start_command(inbound.text):
        state, events = engine.resume(flow, state, now.timestamp())
    else:
        state, events = engine.step(flow, state, inbound.text, now.timestamp())
    replies = None
    if render is not None:
        outcome.replies = render(events)
        replies = store.Replies(outcome.replies, inbound.channel, outcome.inbound_id)
    store.save_step(connection, outcome.participant_id, outcome.conversation_id, state, events, now, replies)  # type: ignore[arg-type]
    outcome.events = events
    outcome.language = state.language
    outcome.finished = state.status != ACTIVE
    if state.status == COMPLETED:
        outcome.completed_consultation_id = consultation_id
    return outcome


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")


def find_or_create_participant(session: Session, key: str, scheme: str, address: str, now: datetime) -> Participant:
    """The participant behind an address, locked, created on first contact, as an ORM object for callers that change it.

    The same statements as the inbound path's (palabre/inbound_store.py): messages from one person are applied
    one after the other even before there is a conversation row to lock, and two first messages at once
    create one participant.
    """
    session.flush()  # the caller's pending objects first: the statements below run on the session's connection
    participant_id, _opted_out_at = store.find_or_create_participant(
        session.connection(), key, scheme, address, identity.address_hash(key, scheme, address), now)
    return session.get_one(Participant, participant_id)


def _expired(connection: Connection, conversation: store.Latest, now: datetime, idle_hours: float) -> bool:
    if not engine.is_idle(conversation.state, now.timestamp(), idle_hours * 3600):
        return False
    state, _ = engine.expire(conversation.state)
    store.save_state(connection, conversation.id, state)  # current_question stays: where it was dropped, for the funnel
    return True


def _start(connection: Connection, outcome: Outcome, inbound: Inbound, now: datetime, opted_in: bool) -> Outcome:
    if inbound.consultation:
        chosen = open_by_slug(connection, inbound.consultation)
    else:
        chosen = open_for_message(connection, inbound.text)
    if chosen is None:
        outcome.events = [Say("nothing_open", NOTHING_OPEN)]
        outcome.finished = True
        return _link(connection, outcome, inbound, keep_text=False)
    consultation_id, sha256 = chosen
    flow = flow_by_hash(connection, consultation_id, sha256)
    state, events = engine.start(flow, now.timestamp(), inbound.language)
    # One Core INSERT with the started state, not an ORM object then an UPDATE: its flush alone took about a
    # fifth of a first message's CPU (py-spy over bench/webhooks.py's mixed load).
    outcome.conversation_id = store.start_conversation(connection, outcome.participant_id, consultation_id,  # type: ignore[arg-type]
                                                       inbound.channel, state, now)
    if any(isinstance(event, store.WRITTEN_EVENTS) for event in events):
        store.save_step(connection, outcome.participant_id, outcome.conversation_id, state, events, now)  # type: ignore[arg-type]
    if opted_in:
        events = [Say("opted_in", message(flow, "opted_in", state.language)), *events]
    outcome.events = events
    outcome.language = state.language
    return _link(connection, outcome, inbound, keep_text=True)


def _opt_out(connection: Connection, outcome: Outcome, latest: store.Latest | None, inbound: Inbound,
             now: datetime) -> Outcome:
    store.set_opted_out(connection, outcome.participant_id, now)  # type: ignore[arg-type]
    if latest is not None:
        flow = flow_by_hash(connection, latest.consultation_id, latest.flow_sha256)
        text = message(flow, "opted_out", latest.language)
    else:
        text = "Vous ne recevrez plus de messages. / You will receive no more messages. START / DEBUT"
    outcome.events = [OptedOut(), Say("opted_out", text)]
    outcome.finished = True
    return _link(connection, outcome, inbound, keep_text=False)


def _link(connection: Connection, outcome: Outcome, inbound: Inbound, keep_text: bool) -> Outcome:
    """Attach the stored inbound message to its participant and conversation, with its text only when kept."""
    if outcome.inbound_id is not None:
        store.link_inbound(connection, outcome.inbound_id, outcome.participant_id, outcome.conversation_id,  # type: ignore[arg-type]
                           inbound.text[:2000] if keep_text else "")
    return outcome
