"""Rebuild the buttons of a queued Telegram message from the database, at send time, from its id alone.

A send job only gets a message id (jobs take ids), and messages have no column for buttons. The
buttons follow from what is stored:
- the share-my-number offer is queued under its own dedupe key: it gets the contact button;
- a reply in a conversation ends with the question the conversation waits on. If it is still the
  conversation's latest Telegram message when it goes out, it gets that question's buttons (or
  loses the reply keyboard, for numbers, free text and a finished conversation). An older one,
  overtaken by a newer reply before it went out, gets none: its question is no longer the current
  one, and the newer reply carries the current buttons;
- anything else (a notice outside a conversation) is sent as plain text.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bots.telegram_render import REMOVE_KEYBOARD, keyboard_for, question_ref, share_keyboard
from flows import engine
from flows.state import ACTIVE, State
from models import Conversation, OutboundMessage
from palabre.consultations import flow_of

SHARE_OFFER_KEY = "telegram-share-offer-{participant_id}"  # one offer per participant, ever
SHARE_OFFER_PREFIX = SHARE_OFFER_KEY.split("{")[0]


def stored_markup(message_id: int):
    """The buttons of a queued message, read in a session of its own (the send job's app context)."""
    from palabre.extensions import database

    with database().session() as session:
        return markup_for_message(session, message_id)


def markup_for_message(session: Session, message_id: int):
    """The reply markup a stored Telegram message goes out with, or None."""
    message = session.get(OutboundMessage, message_id)
    if message is None or message.conversation_id is None:
        return None
    conversation = session.get(Conversation, message.conversation_id)
    if conversation is None:
        return None
    state = State.from_json(conversation.state)
    if is_share_offer(message.dedupe_key):
        return share_keyboard(state.language)
    latest = session.scalar(
        select(func.max(OutboundMessage.id)).where(
            OutboundMessage.conversation_id == conversation.id, OutboundMessage.channel == "telegram",
            or_(OutboundMessage.dedupe_key.is_(None), OutboundMessage.dedupe_key.not_like(SHARE_OFFER_PREFIX + "%")),
        )
    )
    if latest != message.id:
        return None
    if conversation.status != ACTIVE or state.current is None:
        return REMOVE_KEYBOARD
    flow = flow_of(conversation.consultation)
    question = flow.question(state.current)
    ask = engine.ask(flow, state, question)
    return keyboard_for(ask, question_ref(flow.id, question.id), state.language) or REMOVE_KEYBOARD


def is_share_offer(dedupe_key: str | None) -> bool:
    return bool(dedupe_key) and dedupe_key.startswith(SHARE_OFFER_PREFIX)  # type: ignore[union-attr]
