"""Every setting, read from the environment in one place, with its documented default."""

from __future__ import annotations

import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Mapping

from palabre.private_files import private_folder

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///instance/palabre.db"


@dataclass(frozen=True)
class Config:
    DATABASE_URL: str = DEFAULT_DATABASE_URL
    REDIS_URL: str | None = None  # unset: jobs run inline, in the same process
    SECRET_KEY: str = ""
    PUBLIC_BASE_URL: str | None = None  # e.g. https://palabre.example.org, used to check webhook signatures
    PSEUDONYM_KEY: str = ""  # HMAC key turning a phone number or Telegram id into a pseudonym
    MIN_CELL: int = 10  # fewest respondents a published figure may describe
    CONVERSATION_IDLE_HOURS: float = 72.0  # an unanswered conversation expires after this
    REMINDER_AFTER_HOURS: float = 24.0  # `remind` nudges a conversation idle this long (once, before expiry)
    RETENTION_DAYS: float = 180.0  # `participants retention` drops addresses this long after their consultations closed
    FLOWS_DIR: str = str(ROOT / "flows" / "library")
    INSTANCE_DIR: str = "instance"
    LOG_LEVEL: str = "WARNING"
    LOG_FORMAT: str = "json"  # json: one JSON object per line, for log collectors; text: for a terminal
    PHONE_REGION: str | None = None  # e.g. CI: lets local numbers without +country be read
    # Twilio (SMS)
    TWILIO_ACCOUNT_SID: str | None = None
    TWILIO_AUTH_TOKEN: str | None = None
    TWILIO_FROM_NUMBER: str | None = None
    TWILIO_MESSAGING_SERVICE_SID: str | None = None
    TWILIO_API_URL: str = "https://api.twilio.com"  # tests and staging point this at a fake Twilio
    # Twilio signs with this instead of the auth token when a Webhook Rule names a SharedKey
    # (the request then carries X-Twilio-Webhooks-Signature-Settings).
    TWILIO_WEBHOOK_SHARED_KEY: str | None = None
    # WhatsApp, through Twilio: the WhatsApp-enabled sender, and the approved template (a Content SID,
    # HX...) that messages we start outside the 24 hours after a person's last message must use
    TWILIO_WHATSAPP_FROM: str | None = None
    WHATSAPP_TEMPLATE_SID: str | None = None
    # Voice, through Twilio: the number calls come from (else TWILIO_FROM_NUMBER); callback mode rejects
    # a ringing call (free for the caller) and calls back; calls placed per second (Twilio's default is 1)
    TWILIO_VOICE_NUMBER: str | None = None
    VOICE_CALLBACK: bool = False
    VOICE_CALLS_PER_SECOND: float = 1.0
    # Twilio's price of one minute of a call to the citizens' phones, in SMS_PRICE_CURRENCY (one account, one
    # currency): for the estimated cost of calls; Twilio bills each call by the started minute
    VOICE_PRICE_PER_MINUTE: float = 0.20
    SMS_MAX_SEGMENTS: int = 2  # the most SMS segments one message may cost
    SMS_PRICE_PER_SEGMENT: float = 0.05  # shown as the estimated cost of a broadcast
    SMS_PRICE_CURRENCY: str = "USD"
    # Africa's Talking (USSD): it does not sign callbacks, so restrict by address or shared secret
    USSD_ALLOWED_IPS: tuple[str, ...] = ()
    USSD_SHARED_SECRET: str | None = None
    USSD_SERVICE_CODE: str | None = None  # e.g. *384*123#, shown to officials and on the public page
    # Telegram
    TELEGRAM_BOT_TOKEN: str | None = None
    TELEGRAM_WEBHOOK_SECRET: str | None = None
    TELEGRAM_API_URL: str = "https://api.telegram.org/bot"  # python-telegram-bot's base_url
    TELEGRAM_BOT_USERNAME: str | None = None  # for deep links t.me/<bot>?start=<slug>
    TESTING: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """Read the settings from environment variables."""
        env = os.environ if env is None else env
        instance = env.get("INSTANCE_DIR", "instance")
        return cls(
            DATABASE_URL=normalise_database_url(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            REDIS_URL=env.get("REDIS_URL") or None,
            SECRET_KEY=env.get("SECRET_KEY") or _instance_secret(instance, "secret_key"),
            PUBLIC_BASE_URL=(env.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
            PSEUDONYM_KEY=env.get("PSEUDONYM_KEY") or _instance_secret(instance, "pseudonym_key"),
            MIN_CELL=int(env.get("MIN_CELL") or 10),
            CONVERSATION_IDLE_HOURS=float(env.get("CONVERSATION_IDLE_HOURS") or 72),
            REMINDER_AFTER_HOURS=float(env.get("REMINDER_AFTER_HOURS") or 24),
            RETENTION_DAYS=float(env.get("RETENTION_DAYS") or 180),
            FLOWS_DIR=env.get("FLOWS_DIR") or str(ROOT / "flows" / "library"),
            INSTANCE_DIR=instance,
            LOG_LEVEL=(env.get("LOG_LEVEL") or "WARNING").upper(),
            LOG_FORMAT=(env.get("LOG_FORMAT") or "json").lower(),
            PHONE_REGION=env.get("PHONE_REGION") or None,
            TWILIO_ACCOUNT_SID=env.get("TWILIO_ACCOUNT_SID") or None,
            TWILIO_AUTH_TOKEN=env.get("TWILIO_AUTH_TOKEN") or None,
            TWILIO_FROM_NUMBER=env.get("TWILIO_FROM_NUMBER") or None,
            TWILIO_MESSAGING_SERVICE_SID=env.get("TWILIO_MESSAGING_SERVICE_SID") or None,
            TWILIO_API_URL=(env.get("TWILIO_API_URL") or "https://api.twilio.com").rstrip("/"),
            TWILIO_WEBHOOK_SHARED_KEY=env.get("TWILIO_WEBHOOK_SHARED_KEY") or None,
            TWILIO_WHATSAPP_FROM=(env.get("TWILIO_WHATSAPP_FROM") or "").removeprefix("whatsapp:") or None,
            WHATSAPP_TEMPLATE_SID=env.get("WHATSAPP_TEMPLATE_SID") or None,
            TWILIO_VOICE_NUMBER=env.get("TWILIO_VOICE_NUMBER") or None,
            VOICE_CALLBACK=(env.get("VOICE_CALLBACK") or "").strip().lower() in ("1", "on", "true", "yes"),
            VOICE_CALLS_PER_SECOND=float(env.get("VOICE_CALLS_PER_SECOND") or 1),
            VOICE_PRICE_PER_MINUTE=float(env.get("VOICE_PRICE_PER_MINUTE") or 0.20),
            SMS_MAX_SEGMENTS=int(env.get("SMS_MAX_SEGMENTS") or 2),
            SMS_PRICE_PER_SEGMENT=float(env.get("SMS_PRICE_PER_SEGMENT") or 0.05),
            SMS_PRICE_CURRENCY=env.get("SMS_PRICE_CURRENCY") or "USD",
            USSD_ALLOWED_IPS=tuple(ip.strip() for ip in (env.get("USSD_ALLOWED_IPS") or "").split(",") if ip.strip()),
            USSD_SHARED_SECRET=env.get("USSD_SHARED_SECRET") or None,
            USSD_SERVICE_CODE=env.get("USSD_SERVICE_CODE") or None,
            TELEGRAM_BOT_TOKEN=env.get("TELEGRAM_BOT_TOKEN") or None,
            TELEGRAM_WEBHOOK_SECRET=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            TELEGRAM_API_URL=env.get("TELEGRAM_API_URL") or "https://api.telegram.org/bot",
            TELEGRAM_BOT_USERNAME=(env.get("TELEGRAM_BOT_USERNAME") or "").lstrip("@") or None,
        )

    def replace(self, **changes: object) -> Config:
        """A copy with some settings changed (tests, CLI options)."""
        known = {k: v for k, v in changes.items() if k in self.__dataclass_fields__}
        extra = {**self.extra, **{k: v for k, v in changes.items() if k not in known}}
        if "DATABASE_URL" in known:
            known["DATABASE_URL"] = normalise_database_url(str(known["DATABASE_URL"]))
        return Config(**{**asdict(self), **known, "extra": extra})

    def as_flask(self) -> dict[str, object]:
        """The settings as a Flask config mapping."""
        data = asdict(self)
        extra = data.pop("extra")
        return {**data, **extra}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way (postgres://, postgresql://)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret(instance_dir: str, name: str) -> str:
    """A random secret kept in the instance folder, so the embedded setup needs no configuration.

    Pseudonyms must stay stable across restarts, so the key is created once and then reused.
    Production sets SECRET_KEY and PSEUDONYM_KEY in the environment instead.
    """
    path = Path(instance_dir) / name
    if path.exists():
        return path.read_text().strip()
    private_folder(path.parent)
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
