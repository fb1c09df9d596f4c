"""How citizens reach a consultation: SMS number and keyword, USSD code, Telegram deep link and its QR code."""

from __future__ import annotations

from dataclasses import dataclass

import segno

from models import Consultation
from palabre.config import Config


@dataclass(frozen=True)
class Reach:
    sms_number: str | None
    sms_keywords: tuple[str, ...]
    ussd_code: str | None
    telegram_link: str | None
    telegram_qr_svg: str | None  # inline SVG, printed on posters


def reach_of(consultation: Consultation, config: Config) -> Reach:
    """The ways in to a consultation, from the channel settings."""
    link = None
    qr = None
    if config.TELEGRAM_BOT_USERNAME:
        link = f"https://t.me/{config.TELEGRAM_BOT_USERNAME}?start={consultation.slug}"
        qr = segno.make(link, error="m").svg_inline(scale=3, dark="#000", light="#fff")
    return Reach(
        sms_number=config.TWILIO_FROM_NUMBER, sms_keywords=tuple(consultation.keywords or ()),
        ussd_code=config.USSD_SERVICE_CODE, telegram_link=link, telegram_qr_svg=qr,
    )
