"""Invitations: reading a list of numbers, and queuing one SMS per person, at most once, never to the opted out."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from sqlalchemy import select

from palabre.sms_segments import count_segments, to_gsm_friendly
from flows.messages import message
from flows.model import Flow
from models import Consultation, Conversation, Invitation, OutboundMessage
from palabre.config import Config
from palabre.identity import TEL
from palabre.inbound import find_or_create_participant
from palabre.outbound import queue_message
from palabre.upsert import insert_ignore

INVITED, ALREADY_INVITED, ALREADY_ANSWERING, OPTED_OUT, QUEUED_AGAIN = (
    "invited", "already invited", "already answering", "opted out", "queued again")
# An invitation is one SMS: 160 GSM-7 characters.
INVITATION_SEGMENTS = 1


@dataclass(frozen=True)
class Invited:
    """What became of one number: one of the outcomes above, and the message to send, if any."""

    outcome: str
    message_id: int | None = None


def read_numbers(text: str) -> Iterator[tuple[int, str]]:
    """(line number, number as written) from a CSV with a `phone` column, or from one number per line."""
    lines = text.removeprefix("\ufeff").splitlines()  # spreadsheets start CSV files with a BOM
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return
    delimiter = ";" if lines[first].count(";") > lines[first].count(",") else ","
    header = [cell.strip().lower() for cell in next(csv.reader([lines[first]], delimiter=delimiter))]
    if "phone" not in header:  # a plain list: one number per line, '#' starts a comment
        for number, line in enumerate(lines, 1):
            if line.strip() and not line.lstrip().startswith("#"):
                yield number, line.strip()
        return
    column = header.index("phone")
    for number, row in enumerate(csv.reader(lines[first + 1:], delimiter=delimiter), first + 2):
        if any(cell.strip() for cell in row):
            yield number, row[column].strip() if column < len(row) else ""


def invitation_text(flow: Flow, language: str | None = None, channel: str = "sms") -> str:
    """The invitation: the flow's title and the keyword that starts it, in one GSM-7 SMS (WhatsApp: as written)."""
    if not flow.keywords:
        raise ValueError(f"flow {flow.id} has no keywords: an invitation must say which word to send back")
    language = language or flow.default_language
    title = flow.title.get(language) or next(iter(flow.title.values()))
    if channel == "whatsapp":  # no segments to pay for, and proper French
        return message(flow, "invitation", language, title=title, keyword=flow.keywords[0])
    text = ""
    for cut in range(len(title), -1, -1):  # shorten an overlong title rather than pay a second SMS
        shown = title if cut == len(title) else title[:cut].rstrip() + "..."
        text = to_gsm_friendly(message(flow, "invitation", language, title=shown, keyword=flow.keywords[0]))
        if count_segments(text).segments <= INVITATION_SEGMENTS:
            break
    return text


def invite(session, config: Config, consultation: Consultation, text: str, address: str, now: datetime,
           channel: str = "sms") -> Invited:
    """Record one invitation to an E.164 number and queue its message (SMS or WhatsApp); the caller commits, then sends."""
    participant = find_or_create_participant(session, config.PSEUDONYM_KEY, TEL, address, now)
    if participant.opted_out:
        return Invited(OPTED_OUT)
    invitation_id = insert_ignore(session, Invitation, {
        "consultation_id": consultation.id, "participant_id": participant.id, "channel": channel, "created_at": now,
    }, ("consultation_id", "participant_id"))
    if invitation_id is None:
        return _already_invited(session, consultation.id, participant.id)
    answering = session.scalar(select(Conversation.id).where(
        Conversation.participant_id == participant.id, Conversation.consultation_id == consultation.id).limit(1))
    if answering is not None:
        return Invited(ALREADY_ANSWERING)  # the invitation row stays: nobody is invited twice
    message_id = queue_message(session, participant.id, channel, text, "invitation", now,
                               dedupe_key=f"invite:{consultation.id}:{participant.id}")
    session.get(Invitation, invitation_id).message_id = message_id  # type: ignore[union-attr]
    return Invited(INVITED, message_id)


def _already_invited(session, consultation_id: int, participant_id: int) -> Invited:
    """An earlier run invited them; its SMS is handed out again only if it is still waiting to go."""
    waiting = session.scalar(
        select(OutboundMessage.id).join(Invitation, Invitation.message_id == OutboundMessage.id)
        .where(Invitation.consultation_id == consultation_id, Invitation.participant_id == participant_id,
               OutboundMessage.status == OutboundMessage.QUEUED)
    )
    return Invited(QUEUED_AGAIN, waiting) if waiting is not None else Invited(ALREADY_INVITED)
