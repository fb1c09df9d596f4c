"""Simulate citizens answering a consultation through the same path real messages take."""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from flows.events import Ask, Finished, OptedOut
from models import utcnow
from palabre import identity
from palabre.config import Config
from palabre.db import Database
from palabre.inbound import Inbound, Outcome, after_commit, handle_inbound
from palabre.population import Persona, draw_persona, reply_to

KEYWORD = {"fr": "AVIS", "en": "SURVEY"}
SECONDS_BETWEEN_MESSAGES = 40
DAYS_OF_FIELDWORK = 14
MAX_MESSAGES = 60  # per citizen: a safety net against a flow that never ends


@dataclass
class Summary:
    citizens: int = 0
    messages: int = 0
    statuses: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)
    resumed: int = 0


def simulate(database: Database, config: Config, citizens: int, slug: str | None = None, seed: int = 1,
             on_citizen: Callable[[], None] = lambda: None, start: datetime | None = None) -> Summary:
    """Let `citizens` synthetic people answer; return what happened."""
    rng = random.Random(seed)
    start = start or utcnow() - timedelta(days=DAYS_OF_FIELDWORK)
    summary = Summary()
    for number in range(citizens):
        persona = draw_persona(rng)
        began = start + timedelta(seconds=rng.uniform(0, DAYS_OF_FIELDWORK * 86400))
        status = _converse(database, config, persona, number, slug, began, rng, summary)
        summary.citizens += 1
        summary.channels[persona.channel] += 1
        summary.statuses[status] += 1
        on_citizen()
    return summary


def _converse(database: Database, config: Config, persona: Persona, number: int, slug: str | None,
              began: datetime, rng: random.Random, summary: Summary) -> str:
    """One citizen's whole conversation; return how it ended."""
    scheme, address = _address(persona, number)
    session_id = secrets.token_hex(6)
    first = KEYWORD[persona.language] if persona.channel == "sms" else ""
    outcome = _send(database, config, persona, scheme, address, first, slug, began, new_session=persona.channel != "sms",
                    external_id=f"{session_id}-0")
    summary.messages += 1
    for step in range(1, MAX_MESSAGES):
        asks = [e for e in outcome.events if isinstance(e, Ask)]
        if outcome.finished or not asks:
            return _status(outcome)
        now = began + timedelta(seconds=step * SECONDS_BETWEEN_MESSAGES)
        if persona.channel == "ussd" and persona.sent == persona.ussd_break:
            # The network dropped the session: the citizen dials again a few minutes later.
            persona.ussd_break = -1
            summary.resumed += 1
            outcome = _send(database, config, persona, scheme, address, "", None, now + timedelta(minutes=5), True, f"{session_id}-r{step}")
            continue
        text = reply_to(persona, asks[-1], rng)
        if text is None:
            return "dropped"
        outcome = _send(database, config, persona, scheme, address, text, None, now, False, f"{session_id}-{step}")
        summary.messages += 1
    return "unfinished"


def _status(outcome: Outcome) -> str:
    if any(isinstance(e, OptedOut) for e in outcome.events):
        return "opted_out"
    finished = [e.status for e in outcome.events if isinstance(e, Finished)]
    return finished[-1] if finished else "unfinished"


def _send(database: Database, config: Config, persona: Persona, scheme: str, address: str, text: str,
          slug: str | None, now: datetime, new_session: bool, external_id: str) -> Outcome:
    inbound = Inbound(
        channel=persona.channel, scheme=scheme, address=address, text=text, external_id=external_id,
        consultation=slug, language=persona.language if persona.channel == "telegram" else None, new_session=new_session,
    )
    with database.session() as session:
        outcome = handle_inbound(session, config, inbound, now)
        session.commit()
    after_commit(outcome)
    return outcome


def _address(persona: Persona, number: int) -> tuple[str, str]:
    if persona.channel == "telegram":
        return identity.TELEGRAM, str(700_000_000 + number)
    # Côte d'Ivoire mobile numbers in a block no operator has assigned.
    return identity.TEL, identity.normalise_phone(f"+225079{number:07d}")
