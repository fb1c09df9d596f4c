"""What one Telegram update means for a consultation: the neutral handler the webhook and the poller share.

`process_update` records the update once, runs it through the shared inbound path, queues the
replies (workers.send sends them, bots.telegram_markup gives them their buttons) and returns what
to acknowledge at once: the pressed button, the ticked boxes of a multi-choice keyboard.

    private text or command ─▶ palabre.inbound ─▶ one reply, and the share-my-number offer (once)
    button ─▶ still the current question? its option number as text ─▶ palabre.inbound
           └▶ an earlier question's: a short note and the current question again
    shared contact ─▶ palabre.participants.link_address ─▶ resume where the conversation stands
    sticker, photo, voice... ─▶ "please answer with text or the buttons" and the question again
    the user blocks the bot (my_chat_member, kicked) ─▶ opted out as by /stop, and not a word back
    groups, channels, edited messages ─▶ ignored, nothing stored
    a button under an inline-mode message, or a field of the wrong type ─▶ ignored (the button answered)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram import CallbackQuery, ChatMemberUpdated, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType

from bots.telegram_markup import SHARE_OFFER_KEY
from bots.telegram_render import ask_text, keyboard_for, language_menu, parse_press, question_ref, reply_texts, split_text, words
from bots.telegram_shape import problem
from flows import engine
from flows.events import Ask
from flows.state import ACTIVE, State
from models import ChannelAddress, Consultation, Conversation, InboundMessage, OutboundMessage
from palabre import identity
from palabre.config import Config
from palabre.consultations import consultation_for_message, flow_of
from palabre.inbound import Inbound, Outcome, find_or_create_participant, handle_inbound
from palabre.outbound import queue_message
from palabre.participants import link_address
from palabre.upsert import insert_ignore

CHANNEL = "telegram"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeyboardEdit:
    """New buttons for a message already sent (editMessageReplyMarkup)."""

    chat_id: str
    message_id: int
    markup: InlineKeyboardMarkup


@dataclass
class Handled:
    """What came of an update: the replies queued, and what to acknowledge right away."""

    status: str = "answered"  # answered, ignored, duplicate
    message_ids: list[int] = field(default_factory=list)
    callback_id: str | None = None  # a pressed button, answered with answerCallbackQuery
    callback_text: str | None = None  # the notice shown on top of the chat, if any
    edit: KeyboardEdit | None = None
    outcome: Outcome | None = None


@dataclass
class Turn:
    """One update being handled: who it is from, and the transaction it runs in."""

    session: Session
    config: Config
    now: datetime
    update_id: str
    chat: str  # the private chat's id, which is the user's id: the address replies go to
    hint: str | None  # the user's language_code, as a flow language code ("pt-br" -> "pt")

    def inbound(self, text: str, **extra: Any) -> Inbound:
        extra.setdefault("language", self.hint)
        return Inbound(CHANNEL, identity.TELEGRAM, self.chat, text, external_id=self.update_id, **extra)


def process_update(session: Session, config: Config, update: Update, now: datetime) -> Handled:
    """Handle one update in the caller's transaction; the caller commits, then acknowledges and sends."""
    if (reason := problem(update)) is not None:
        log.warning("telegram update ignored: %s", reason)  # the field, never its value
        return Handled("ignored")
    query, message, member = update.callback_query, update.message, update.my_chat_member
    # A pressed button spins until answered, even one we ignore (e.g. under an inline-mode message).
    ignored = Handled("ignored", callback_id=query.id if query is not None else None)
    if query is not None:
        chat, user = (query.message.chat if query.message is not None else None), query.from_user
    elif message is not None or member is not None:
        chat, user = (message or member).chat, (message or member).from_user  # type: ignore[union-attr]
    else:
        return ignored
    if chat is None or user is None or user.is_bot or chat.type != ChatType.PRIVATE:
        return ignored
    hint = (user.language_code or "").split("-")[0].lower() or None
    turn = Turn(session, config, now, str(update.update_id), identity.normalise_address(identity.TELEGRAM, str(chat.id)), hint)
    if session.scalar(select(InboundMessage.id).where(InboundMessage.channel == CHANNEL, InboundMessage.external_id == turn.update_id)):
        return Handled("duplicate")  # Telegram retries an update it did not see answered
    if query is not None:
        return _on_press(turn, query)
    if member is not None:
        return _on_member(turn, member)
    assert message is not None
    if message.contact is not None:
        return _on_contact(turn, message)
    if message.text is None:
        return _on_other(turn)
    return _on_text(turn, message.text)


def _on_text(turn: Turn, text: str) -> Handled:
    command, argument = _command(text)
    if command:  # "/help@palabre_bot" is "/help": the engine knows commands, not the bot's name
        text = f"/{command} {argument}".rstrip()
    if command == "start" and argument:  # a deep link: t.me/<bot>?start=<slug>
        if turn.session.scalar(select(Consultation.id).where(Consultation.slug == argument)) is None:
            return _notice(turn, words("unknown_link", turn.hint))
        return _converse(turn, turn.inbound("/start", consultation=argument))
    if command == "help":
        if _active(turn) is None:
            return _notice(turn, words("help", turn.hint))
        return _converse(turn, turn.inbound(text), prefix="help")
    if command == "lang" or command.startswith("lang_"):
        return _on_lang(turn, text, (argument or command[len("lang_"):]).lower())
    return _converse(turn, turn.inbound(text))  # /stop and /start are the engine's STOP and START


def _on_lang(turn: Turn, text: str, code: str) -> Handled:
    conversation = _active(turn)
    consultation = conversation.consultation if conversation else consultation_for_message(turn.session, "")[0]
    if consultation is None:
        return _converse(turn, turn.inbound(text))  # says that nothing is open
    flow = flow_of(consultation)
    if code in flow.languages:  # switches the conversation under way, or starts one in that language
        return _converse(turn, turn.inbound(text, language=code, switch_language=True))
    language = State.from_json(conversation.state).language if conversation else turn.hint
    return _notice(turn, language_menu(flow.languages, language))


def _on_press(turn: Turn, query: CallbackQuery) -> Handled:
    press = parse_press(query.data)
    # Locked until commit: a double tap is applied once, to the question it was meant for.
    conversation = _active(turn, lock=True) if press is not None else None
    if press is None or conversation is None:
        return Handled(callback_id=query.id, callback_text=words("closed", turn.hint))
    flow, state = flow_of(conversation.consultation), State.from_json(conversation.state)
    question = flow.question(state.current)  # type: ignore[arg-type]
    ask = engine.ask(flow, state, question)
    if press.ref != question_ref(flow.id, question.id):
        stale = words("stale", state.language)
        if press.verb == "t":
            return Handled(callback_id=query.id, callback_text=stale)
        handled = _notice(turn, f"{stale}\n\n{ask_text(ask, state.language)}", conversation)
        handled.callback_id, handled.callback_text = query.id, stale
        return handled
    if press.verb == "t":
        markup = keyboard_for(ask, press.ref, state.language, press.value)
        edit = KeyboardEdit(turn.chat, query.message.message_id, markup) if markup and query.message else None
        return Handled(callback_id=query.id, edit=edit)
    numbers = [press.value] if press.verb == "a" else [i + 1 for i in range(len(ask.options)) if press.value >> i & 1]
    if not numbers:
        return Handled(callback_id=query.id, callback_text=words("pick_one", state.language))
    handled = _converse(turn, turn.inbound(" ".join(str(n) for n in numbers)))  # as if typed: "2", "1 3"
    handled.callback_id = query.id
    return handled


def _on_member(turn: Turn, member: ChatMemberUpdated) -> Handled:
    """The user blocked the bot: opt them out at once, as /stop would, and send nothing (it cannot arrive)."""
    # In a private chat Telegram reports a block as the bot's status "kicked", and "member" once unblocked.
    if member.new_chat_member.status != ChatMemberStatus.BANNED:
        return Handled("ignored")
    hashed = identity.address_hash(turn.config.PSEUDONYM_KEY, identity.TELEGRAM, turn.chat)
    if turn.session.scalar(select(ChannelAddress.id).where(ChannelAddress.scheme == identity.TELEGRAM,
                                                           ChannelAddress.address_hash == hashed)) is None:
        return Handled("ignored")  # someone who never wrote to us: nothing to stop, nothing to store
    # Recorded as the /stop it amounts to; its confirmation is not queued.
    outcome = handle_inbound(turn.session, turn.config, turn.inbound("/stop"), turn.now)
    return Handled("duplicate" if outcome.duplicate else "answered", outcome=outcome)


def _on_contact(turn: Turn, message: Message) -> Handled:
    contact = message.contact
    if contact is None or message.from_user is None or contact.user_id != message.from_user.id:
        return _notice(turn, words("not_own_contact", turn.hint))  # a forwarded card is not consent
    raw = contact.phone_number.strip()
    try:  # Telegram gives the number in international form, usually without the "+"
        phone = identity.normalise_phone(raw if raw.startswith("+") else "+" + raw, turn.config.PHONE_REGION)
    except identity.InvalidAddress:
        return _notice(turn, words("bad_phone", turn.hint))
    participant = find_or_create_participant(turn.session, turn.config.PSEUDONYM_KEY, identity.TELEGRAM, turn.chat, turn.now)
    link_address(turn.session, turn.config.PSEUDONYM_KEY, participant.id, identity.TEL, phone, turn.now)
    if _active(turn, lock=True) is None:
        return _notice(turn, words("linked", turn.hint))
    return _converse(turn, turn.inbound("", new_session=True), prefix="linked")


def _on_other(turn: Turn) -> Handled:
    conversation = _active(turn)
    if conversation is None:
        return _notice(turn, words("use_text", turn.hint))
    language = conversation.language
    return _notice(turn, f"{words('use_text', language)}\n\n{ask_text(_current_ask(conversation), language)}", conversation)


def _converse(turn: Turn, inbound: Inbound, prefix: str | None = None) -> Handled:
    """Step the conversation through the shared path, and queue its reply."""
    outcome = handle_inbound(turn.session, turn.config, inbound, turn.now)
    if outcome.duplicate:
        return Handled("duplicate")
    language = outcome.language or turn.hint
    texts = reply_texts(outcome.events, language, words(prefix, language) if prefix and outcome.events else None)
    ids = _queue(turn, outcome.participant_id, texts, outcome.conversation_id)  # type: ignore[arg-type]
    if outcome.conversation_id is not None and not outcome.finished:
        offer = _offer_share(turn, outcome.participant_id, outcome.conversation_id, language)  # type: ignore[arg-type]
        ids += [offer] if offer else []
    return Handled(message_ids=ids, outcome=outcome)


def _notice(turn: Turn, text: str, conversation: Conversation | None = None) -> Handled:
    """Answer with the channel's own words, outside the engine; the update is recorded all the same."""
    participant = find_or_create_participant(turn.session, turn.config.PSEUDONYM_KEY, identity.TELEGRAM, turn.chat, turn.now)
    recorded = insert_ignore(turn.session, InboundMessage, {
        "channel": CHANNEL, "external_id": turn.update_id, "text": "", "received_at": turn.now,
        "participant_id": participant.id, "conversation_id": conversation.id if conversation else None,
    }, ("channel", "external_id"))
    if recorded is None:
        return Handled("duplicate")
    if participant.opted_out:
        return Handled()  # not a word to someone who said stop
    return Handled(message_ids=_queue(turn, participant.id, split_text(text), conversation.id if conversation else None))


def _queue(turn: Turn, participant_id: int, texts: list[str], conversation_id: int | None) -> list[int]:
    return [queue_message(turn.session, participant_id, CHANNEL, text, "reply", turn.now, conversation_id=conversation_id)  # type: ignore[misc]
            for text in texts]


def _offer_share(turn: Turn, participant_id: int, conversation_id: int, language: str | None) -> int | None:
    """Offer the share-my-number button once, to a participant we know by Telegram only."""
    key = SHARE_OFFER_KEY.format(participant_id=participant_id)
    if turn.session.scalar(select(OutboundMessage.id).where(OutboundMessage.dedupe_key == key)):
        return None
    has_phone = select(ChannelAddress.id).where(ChannelAddress.participant_id == participant_id, ChannelAddress.scheme == identity.TEL)
    if turn.session.scalar(has_phone.limit(1)):
        return None
    return queue_message(turn.session, participant_id, CHANNEL, words("share_offer", language), "reply", turn.now,
                         conversation_id=conversation_id, dedupe_key=key)


def _active(turn: Turn, lock: bool = False) -> Conversation | None:
    """The chat's conversation under way, as palabre.inbound finds it (the latest one, if active)."""
    hashed = identity.address_hash(turn.config.PSEUDONYM_KEY, identity.TELEGRAM, turn.chat)
    query = (
        select(Conversation)
        .join(ChannelAddress, ChannelAddress.participant_id == Conversation.participant_id)
        .where(ChannelAddress.scheme == identity.TELEGRAM, ChannelAddress.address_hash == hashed)
        .order_by(Conversation.id.desc())
        .limit(1)
    )
    conversation = turn.session.scalar(query.with_for_update(of=Conversation) if lock else query)
    return conversation if conversation is not None and conversation.status == ACTIVE and conversation.current_question else None


def _current_ask(conversation: Conversation) -> Ask:
    flow, state = flow_of(conversation.consultation), State.from_json(conversation.state)
    return engine.ask(flow, state, flow.question(state.current))  # type: ignore[arg-type]


def _command(text: str) -> tuple[str, str]:
    """('start', 'access-barriers') for '/start access-barriers'; ('', '') for text that is no command."""
    if not text.startswith("/"):
        return "", ""
    head, _, rest = text[1:].strip().partition(" ")
    # "/help@palabre_bot": Telegram adds the bot's name in groups and from the command menu. Only
    # private chats reach here, where every command is for us, so any name is dropped.
    return head.split("@")[0].lower(), rest.strip()
