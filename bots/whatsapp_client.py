"""Send one WhatsApp message through Twilio's Messages resource: 'whatsapp:' addresses, a template when needed."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bots.errors import ChannelNotConfigured
from bots.twilio_client import STATUS_CALLBACK_PATH, TwilioSender
from bots.whatsapp import PREFIX
from palabre.config import Config


@dataclass(frozen=True)
class WhatsAppSender(TwilioSender):
    """A `palabre.outbound.Sender` for WhatsApp.

    Everything this sender sends is a message we start (invitations, reminders, feedback: replies go back
    inline in the webhook's TwiML). With WHATSAPP_TEMPLATE_SID set, each goes as that approved template with
    the text as its variable {{1}}, which WhatsApp accepts at any time; without it, as free text, which the
    services queue only within the 24 hours after the person's last message (palabre/whatsapp_window.py).
    """

    template_sid: str | None = None

    @classmethod
    def from_config(cls, config: Config) -> WhatsAppSender:
        """A sender configured from the settings; ChannelNotConfigured when credentials are missing."""
        missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not getattr(config, name)]
        if not (config.TWILIO_WHATSAPP_FROM or config.TWILIO_MESSAGING_SERVICE_SID):
            missing.append("TWILIO_WHATSAPP_FROM or TWILIO_MESSAGING_SERVICE_SID")
        if missing:
            raise ChannelNotConfigured("WhatsApp sending needs " + ", ".join(missing))
        return cls(
            account_sid=config.TWILIO_ACCOUNT_SID, auth_token=config.TWILIO_AUTH_TOKEN,  # type: ignore[arg-type]
            api_url=config.TWILIO_API_URL.rstrip("/"),
            from_number=PREFIX + config.TWILIO_WHATSAPP_FROM if config.TWILIO_WHATSAPP_FROM else None,
            messaging_service_sid=config.TWILIO_MESSAGING_SERVICE_SID,
            status_callback=config.PUBLIC_BASE_URL + STATUS_CALLBACK_PATH if config.PUBLIC_BASE_URL else None,
            template_sid=config.WHATSAPP_TEMPLATE_SID,
        )

    def form(self, address: str, text: str) -> dict[str, str]:
        """The fields for one WhatsApp message: prefixed addresses, and the template when there is one."""
        form = super().form(PREFIX + address, text)
        if self.template_sid:
            del form["Body"]
            form["ContentSid"] = self.template_sid
            form["ContentVariables"] = json.dumps({"1": text}, ensure_ascii=False)
        return form
