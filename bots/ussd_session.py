"""What a USSD session has already handled, read back from the rows the shared inbound path writes.

No table of its own: each input the engine takes is stored once as an inbound message keyed
`<dialect>/<caller>:<session id>:<position>` (the idempotency key), and each screen it answered
with as an inline outbound message. So "how far has this session got" is the highest position
stored, a retried request finds its own screen, and nothing needs a TTL, a Redis or a migration.
Pager keys are never stored: the page is recomputed from the inputs since the last stored one.

The caller (the phone's pseudonym) is part of the key because a session id alone is only the
gateway's word: a second phone sending the same id (a buggy gateway, two gateways behind one
aggregator, or someone replaying ids) must neither see the first one's screens nor have its own
inputs dropped as repeats. Keys written before the caller was in them read
`<dialect>:<session id>:<position>`: the '/' after the dialect means no new key can ever equal
one of them, whatever a session id contains; a session in progress during the upgrade simply
resumes on its next request, as after a dropped session.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bots.ussd_dialects import UssdRequest
from bots.ussd_screen import Screen
from flows import engine
from flows.events import Ask
from flows.state import ACTIVE, State
from models import ChannelAddress, Conversation, InboundMessage, OutboundMessage, Participant
from palabre import identity
from palabre.config import Config
from palabre.consultations import flow_of

CHANNEL = "ussd"


def caller_of(config: Config, phone: str) -> str:
    """Who is calling, as keys name them: the pseudonym of their normalised number (never the number)."""
    return identity.pseudonym(config.PSEUDONYM_KEY, identity.TEL, phone)


def key_prefix(request: UssdRequest, caller: str) -> str:
    """What the idempotency keys of one caller's session start with."""
    # At most 6 + 1 + 24 + 1 + MAX_SESSION_ID (80) + 1 = 113 characters before the position:
    # well within external_id's 128, which handle_inbound would otherwise cut.
    return f"{request.dialect}/{caller}:{request.session_id}:"


def external_id(request: UssdRequest, caller: str, position: int) -> str:
    """The idempotency key of one input of a caller's session."""
    return f"{key_prefix(request, caller)}{position}"


def find_participant(session: Session, config: Config, phone: str) -> Participant | None:
    """The participant behind a normalised phone number, if any (never created here)."""
    hashed = identity.address_hash(config.PSEUDONYM_KEY, identity.TEL, phone)
    return session.scalar(
        select(Participant).join(ChannelAddress)
        .where(ChannelAddress.scheme == identity.TEL, ChannelAddress.address_hash == hashed)
    )


def handled_position(session: Session, participant_id: int | None, request: UssdRequest, caller: str) -> int:
    """The highest position of this caller's session the engine has taken, or -1 before its first."""
    if participant_id is None:
        return -1
    prefix = key_prefix(request, caller)
    keys = session.scalars(
        select(InboundMessage.external_id).where(
            InboundMessage.participant_id == participant_id,  # indexed: a participant has few rows
            InboundMessage.channel == CHANNEL,
            InboundMessage.external_id.startswith(prefix, autoescape=True),
        )
    )
    positions = [int(key[len(prefix):]) for key in keys if key[len(prefix):].isdigit()]
    return max(positions, default=-1)


def stored_screen(session: Session, request: UssdRequest, caller: str, participant: Participant | None) -> Screen | None:
    """The screen this caller already got for this very request, if the engine took it (a retry)."""
    if participant is None:
        return None
    # The key names the caller already; the participant conditions make sure that a screen is
    # only ever given back to whom it was first given, in the conversation it belonged to.
    inbound = session.scalar(
        select(InboundMessage).where(
            InboundMessage.channel == CHANNEL, InboundMessage.external_id == external_id(request, caller, request.position),
            InboundMessage.participant_id == participant.id,
        )
    )
    if inbound is None:
        return None
    text = session.scalar(
        select(OutboundMessage.text).where(
            OutboundMessage.inbound_id == inbound.id, OutboundMessage.participant_id == participant.id,
            OutboundMessage.conversation_id.is_not_distinct_from(inbound.conversation_id),
        ).order_by(OutboundMessage.id).limit(1)
    )
    if text is None:
        return None
    conversation = session.get(Conversation, inbound.conversation_id) if inbound.conversation_id else None
    return Screen(text, end=conversation is None or conversation.status != ACTIVE)


def pending_question(session: Session, participant: Participant | None) -> tuple[Ask, str] | None:
    """The question a participant's active conversation waits on, and its language."""
    if participant is None:
        return None
    conversation = session.scalar(
        select(Conversation).where(Conversation.participant_id == participant.id).order_by(Conversation.id.desc()).limit(1)
    )
    if conversation is None or conversation.status != ACTIVE:
        return None
    state = State.from_json(conversation.state)
    if state.current is None:
        return None
    flow = flow_of(conversation.consultation)
    return engine.ask(flow, state, flow.question(state.current)), state.language
