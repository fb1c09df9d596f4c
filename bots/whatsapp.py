"""WhatsApp through Twilio: the same messaging webhook as SMS, told apart by the 'whatsapp:' prefix.

Facts this module depends on:
- Twilio posts WhatsApp messages to the number's messaging webhook with From=whatsapp:+E164 and
  To=whatsapp:+E164, plus ProfileName (the name the person set in WhatsApp: never stored) and WaId.
- The person is their phone number: on WhatsApp, SMS and USSD one participant, one conversation.
- Replies given in the webhook's TwiML are inside the 24 hours after the person's message, so any
  text may go. Outside those 24 hours only an approved template may be sent (palabre/whatsapp_window.py).
- No segments: a WhatsApp message is not billed per 160 characters. Messages stay short anyway: they
  are read on small screens, and Twilio refuses bodies over 1,600 characters.
"""

from __future__ import annotations

from bots.text import render_messages
from flows.events import Event

CHANNEL = "whatsapp"
PREFIX = "whatsapp:"
MAX_BODY_CHARS = 1600  # Twilio's limit for one message body


def split_sender(sender: str) -> tuple[str, str]:
    """(channel, phone number as sent) for a Twilio messaging webhook's From field."""
    if sender[: len(PREFIX)].lower() == PREFIX:
        return CHANNEL, sender[len(PREFIX):].strip()
    return "sms", sender


def replies(events: list[Event]) -> list[str]:
    """The TwiML replies for a step: full Unicode (no GSM-7 to save), each within Twilio's body limit."""
    out = []
    for text in render_messages(events):
        while len(text) > MAX_BODY_CHARS:
            cut = text.rfind("\n", 0, MAX_BODY_CHARS)
            cut = cut if cut > 0 else MAX_BODY_CHARS
            out.append(text[:cut])
            text = text[cut:].lstrip("\n")
        out.append(text)
    return out
