"""Handle one inbound message from any channel: find the participant, step the engine, save the result.

Channels call `handle_inbound` with a neutral `Inbound` and render the events it returns.
Everything between the webhook and the engine lives here, written once for SMS, USSD and Telegram.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, lazyload

from flows import engine
from flows.answers import match_global_command, match_start_command
from flows.events import Event, OptedOut, Say
from flows.messages import message
from flows.model import Flow
from flows.state import ACTIVE, COMPLETED, OPTED_OUT, State
from models import ChannelAddress, Consultation, Conversation, InboundMessage, Participant
from palabre import flood, identity
from palabre.config import Config
from palabre import inbound_store as store
from palabre.consultations import consultation_for_message, flow_by_hash, flow_of, get_consultation
from palabre.signals import response_completed
from palabre.upsert import insert_ignore

log = logging.getLogger(__name__)

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


def after_commit(outcome: Outcome) -> None:
    """Start the work a stored message triggers, once its transaction is committed (jobs read the database)."""
    if outcome.completed_consultation_id is not None:
        response_completed.send(outcome.completed_consultation_id)


def handle_inbound(session: Session, config: Config, inbound: Inbound, now: datetime) -> Outcome:
    """Record an inbound message once and answer it; the caller commits."""
    # PostgreSQL text cannot hold NUL, and no channel means a control character as an answer.
    inbound = replace(inbound, text=_printable(inbound.text),
                      external_id=_printable(inbound.external_id)[:128] if inbound.external_id is not None else None)
    sender = identity.address_hash(config.PSEUDONYM_KEY, inbound.scheme, inbound.address)
    if not flood.allow(sender, now.timestamp(), config.REDIS_URL):
        return Outcome(duplicate=True, throttled=True)  # a machine, not a person: nothing stored, nothing answered
    connection = session.connection()
    live = store.lock_live(connection, inbound.scheme, sender)
    if live is None or engine.is_idle(live.state, now.timestamp(), config.CONVERSATION_IDLE_HOURS * 3600):
        return _general(session, config, inbound, now)
    # The common case, someone answering mid-conversation: a handful of statements, no ORM objects.
    inbound_id = None
    if inbound.external_id is not None:
        inbound_id = store.record_inbound(connection, inbound.channel, inbound.external_id, inbound.text[:2000], now,
                                          live.participant_id, live.conversation_id)
        if inbound_id is None:
            return Outcome(duplicate=True)
    outcome = Outcome(participant_id=live.participant_id, conversation_id=live.conversation_id, inbound_id=inbound_id)
    flow = flow_by_hash(connection, live.consultation_id, live.flow_sha256)
    return _continue(session, outcome, flow, live.state, live.consultation_id, inbound, now)


def _general(session: Session, config: Config, inbound: Inbound, now: datetime) -> Outcome:
    """Everyone else: first contact, opted out (or opting back in), expired or finished conversations."""
    inbound_id = None
    if inbound.external_id is not None:
        inbound_id = insert_ignore(session, InboundMessage, {
            "channel": inbound.channel, "external_id": inbound.external_id, "text": "", "received_at": now,
        }, ("channel", "external_id"))
        if inbound_id is None:
            return Outcome(duplicate=True)
    participant = find_or_create_participant(session, config.PSEUDONYM_KEY, inbound.scheme, inbound.address, now)
    outcome = Outcome(participant_id=participant.id, inbound_id=inbound_id)
    opted_in = False
    if participant.opted_out:
        if not match_start_command(inbound.text):
            return _link(session, outcome, inbound, keep_text=False)  # honoured for good: not even the text is kept
        participant.opted_out_at = None
        opted_in = True
    conversation = _latest_conversation(session, participant.id, OPTED_OUT if opted_in else ACTIVE)
    if conversation is not None and _expired(conversation, now, config.CONVERSATION_IDLE_HOURS):
        conversation = None
    if conversation is None:
        if match_global_command(inbound.text) == "stop":
            return _opt_out(session, outcome, participant, inbound, now)
        return _start(session, outcome, participant, inbound, now, opted_in)
    outcome.conversation_id = conversation.id
    flow = flow_of(conversation.consultation)
    _continue(session, outcome, flow, State.from_json(conversation.state), conversation.consultation_id, inbound, now,
              opted_in=opted_in)
    return _link(session, outcome, inbound, keep_text=True)


def _continue(session: Session, outcome: Outcome, flow: Flow, state: State, consultation_id: int, inbound: Inbound,
              now: datetime, opted_in: bool = False) -> Outcome:
    """Take a message as the next turn of the outcome's conversation, and save what the engine decided."""
    if opted_in:
        state, events = engine.opt_in(flow, state, now.timestamp())
    elif inbound.switch_language and inbound.language:
        state, events = engine.set_language(flow, state, inbound.language, now.timestamp())
    elif inbound.new_session or match_start_command(inbound.text):
        state, events = engine.resume(flow, state, now.timestamp())
    else:
        state, events = engine.step(flow, state, inbound.text, now.timestamp())
    _save(session, outcome.participant_id, outcome.conversation_id, state, events, now)  # type: ignore[arg-type]
    outcome.events = events
    outcome.language = state.language
    outcome.finished = state.status != ACTIVE
    if state.status == COMPLETED:
        outcome.completed_consultation_id = consultation_id
    return outcome


def _save(session: Session, participant_id: int, conversation_id: int, state: State, events: list[Event], now: datetime) -> None:
    """Write a turn with Core statements, and drop any copy of those rows the session holds (now stale)."""
    session.flush()  # pending ORM changes first (a conversation just created, an opt-in), then ours
    store.save_step(session.connection(), participant_id, conversation_id, state, events, now)
    for model, key in ((Conversation, conversation_id), (Participant, participant_id)):
        held = session.identity_map.get(session.identity_key(model, key))
        if held is not None:
            session.expire(held)


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")


def find_or_create_participant(session: Session, key: str, scheme: str, address: str, now: datetime) -> Participant:
    """The participant behind an address, created on first contact."""
    hashed = identity.address_hash(key, scheme, address)
    # Lock the participant: messages from one person are applied one after the other even before
    # there is a conversation row to lock (two first messages must not start two conversations).
    known = session.scalar(
        select(Participant).join(ChannelAddress)
        .where(ChannelAddress.scheme == scheme, ChannelAddress.address_hash == hashed)
        .with_for_update(of=Participant)
    )
    if known is not None:
        return known
    pseudonym = identity.pseudonym(key, scheme, address)
    # Two first messages at once: the second insert waits for the first transaction, then does nothing.
    created = insert_ignore(session, Participant, {"pseudonym": pseudonym, "created_at": now}, ("pseudonym",))
    if created is None:
        # Known by pseudonym but not by address: a first message racing ours, or someone whose address was
        # erased or dropped by retention (an erased person stays opted out). Link the address again.
        participant = session.scalar(select(Participant).where(Participant.pseudonym == pseudonym).with_for_update())
        insert_ignore(session, ChannelAddress, {"participant_id": participant.id, "scheme": scheme, "address_hash": hashed,  # type: ignore[union-attr]
                                                "address": address, "created_at": now}, ("scheme", "address_hash"))
        return participant  # type: ignore[return-value]
    session.execute(ChannelAddress.__table__.insert(), {
        "participant_id": created, "scheme": scheme, "address_hash": hashed, "address": address, "created_at": now})
    participant = session.get(Participant, created)
    log.info("new participant %s on %s", pseudonym, scheme)
    return participant  # type: ignore[return-value]


def _latest_conversation(session: Session, participant_id: int, status: str) -> Conversation | None:
    """The participant's latest conversation if it has this status (active, or opted out for START)."""
    # Lock the row: two messages from one number must be applied one after the other, in order.
    query = (
        select(Conversation)
        .options(lazyload(Conversation.consultation))  # not its flow's text, joined by default: rarely needed here
        .where(Conversation.participant_id == participant_id)
        .order_by(Conversation.id.desc())
        .limit(1)
        .with_for_update(of=Conversation)
    )
    conversation = session.scalar(query)
    return conversation if conversation is not None and conversation.status == status else None


def _expired(conversation: Conversation, now: datetime, idle_hours: float) -> bool:
    state = State.from_json(conversation.state)
    if not engine.is_idle(state, now.timestamp(), idle_hours * 3600):
        return False
    state, _ = engine.expire(state)
    conversation.state = state.to_json()
    conversation.status = state.status  # current_question stays: where it was dropped, for the funnel
    return True


def _start(session: Session, outcome: Outcome, participant: Participant, inbound: Inbound, now: datetime,
           opted_in: bool) -> Outcome:
    if inbound.consultation:
        consultation: Consultation | None = get_consultation(session, inbound.consultation)
        if consultation.status != "open":
            consultation = None
    else:
        consultation, _ = consultation_for_message(session, inbound.text)
    if consultation is None:
        outcome.events = [Say("nothing_open", NOTHING_OPEN)]
        outcome.finished = True
        return _link(session, outcome, inbound, keep_text=False)
    flow = flow_of(consultation)
    state, events = engine.start(flow, now.timestamp(), inbound.language)
    # One Core INSERT with the started state, not an ORM object then an UPDATE: its flush alone took about a
    # fifth of a first message's CPU (py-spy over bench/webhooks.py's mixed load).
    outcome.conversation_id = store.start_conversation(session.connection(), participant.id, consultation.id,
                                                       inbound.channel, state, now)
    if any(isinstance(event, store.WRITTEN_EVENTS) for event in events):
        _save(session, participant.id, outcome.conversation_id, state, events, now)
    if opted_in:
        events = [Say("opted_in", message(flow, "opted_in", state.language)), *events]
    outcome.events = events
    outcome.language = state.language
    return _link(session, outcome, inbound, keep_text=True)


def _opt_out(session: Session, outcome: Outcome, participant: Participant, inbound: Inbound, now: datetime) -> Outcome:
    participant.opted_out_at = now
    flow: Flow | None = None
    last = session.scalar(select(Conversation).where(Conversation.participant_id == participant.id).order_by(Conversation.id.desc()).limit(1))
    if last is not None:
        flow = flow_of(last.consultation)
    text = message(flow, "opted_out", last.language) if flow and last else (
        "Vous ne recevrez plus de messages. / You will receive no more messages. START / DEBUT")
    outcome.events = [OptedOut(), Say("opted_out", text)]
    outcome.finished = True
    return _link(session, outcome, inbound, keep_text=False)


def _link(session: Session, outcome: Outcome, inbound: Inbound, keep_text: bool) -> Outcome:
    """Attach the stored inbound message to its participant and conversation (its text when kept)."""
    if outcome.inbound_id is not None:
        values = {"participant_id": outcome.participant_id, "conversation_id": outcome.conversation_id}
        if keep_text:
            values["text"] = inbound.text[:2000]
        table = InboundMessage.__table__
        session.execute(update(table).where(table.c.id == outcome.inbound_id).values(**values))
    return outcome
