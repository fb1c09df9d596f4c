"""Which platform client sends on which channel."""

from __future__ import annotations

from palabre.config import Config
from palabre.outbound import Sender


def sender_for(channel: str, config: Config) -> Sender:
    """The client that sends on a channel, configured from the settings."""
    if channel == "sms":
        from bots.twilio_client import TwilioSender

        return TwilioSender.from_config(config)
    if channel == "whatsapp":
        from bots.whatsapp_client import WhatsAppSender

        return WhatsAppSender.from_config(config)
    if channel == "voice":
        from bots.voice_client import TwilioCaller

        return TwilioCaller.from_config(config)
    if channel == "telegram":
        from bots.telegram_client import TelegramSender

        return TelegramSender.from_config(config)
    raise ValueError(f"no sender for channel {channel!r}")
