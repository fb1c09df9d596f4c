"""A synthetic city whose barriers differ by district, gender and age: the demo's citizens.

Each persona holds the answers a person would give; `reply_to` turns a question asked on a
channel into the text they would type, with the numbers, words, typos and slips real people use.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from flows.events import Ask

DISTRICTS = {"centre": 0.30, "nord": 0.20, "sud": 0.20, "est": 0.15, "ouest": 0.15}
# Typical minutes to the nearest office: the outer districts are far from the city hall.
TRAVEL_MINUTES = {"centre": 20, "nord": 70, "sud": 35, "est": 50, "ouest": 85}
COMMENTS = {
    "fr": ["Un bureau mobile dans le quartier", "Moins de papiers", "Horaires le samedi", "Aide pour remplir les formulaires", "=HYPERLINK(\"x\")"],
    "en": ["A mobile office in my district", "Fewer papers please", "Open on Saturdays", "Help to fill in forms"],
}


@dataclass
class Persona:
    channel: str
    language: str
    answers: dict[str, Any]
    behaviour: str = "complete"  # complete, decline, drop, stop
    drop_after: int = 99  # number of answers before dropping out
    ussd_break: int = -1  # answer count after which a USSD session dies and is redialled
    slips: float = 0.05  # chance of a first answer that cannot be understood
    sent: int = 0
    retried: set = field(default_factory=set)


def draw_persona(rng: random.Random) -> Persona:
    """One citizen of the synthetic city."""
    district = _pick(rng, DISTRICTS)
    gender = _pick(rng, {"female": 0.51, "male": 0.47, "other": 0.02})
    age = int(min(95, max(15, rng.gauss(40, 17))))
    old, far, woman = age >= 60, district in ("nord", "ouest"), gender == "female"
    disability = _pick(rng, {"none": 0.78 - 0.2 * old, "some": 0.13 + 0.1 * old, "a_lot": 0.07 + 0.07 * old, "cannot": 0.02 + 0.03 * old})
    travel = max(5, int(rng.lognormvariate(0, 0.45) * TRAVEL_MINUTES[district]))
    costly = 0.15 + 0.25 * far + 0.15 * woman
    visit_cost = _pick(rng, {"nothing": 0.35 - costly / 3, "quarter_day": 0.4 - costly / 2, "half_day": costly * 0.6, "day": costly * 0.4 + 0.05})
    visits = 1 + int(rng.expovariate(0.7)) + (disability != "none")
    wait = _pick(rng, {"week": 0.35, "month": 0.35, "quarter": 0.2 + 0.1 * far, "longer": 0.1})
    phone = _pick(rng, {
        "none": 0.04 + 0.12 * old, "basic": 0.25 + 0.3 * old + 0.05 * woman,
        "smartphone": 0.15, "smartphone_internet": max(0.05, 0.56 - 0.4 * old - 0.05 * woman),
    })
    helper = sorted({_pick(rng, {"family": 0.5, "association": 0.12, "agent": 0.1, "nobody": 0.28 + 0.1 * old})})
    if helper != ["nobody"] and rng.random() < 0.2:
        helper = sorted(set(helper) | {"association"})
    channel = {"smartphone_internet": _pick(rng, {"telegram": 0.45, "sms": 0.55})}.get(phone) or _pick(rng, {"sms": 0.6, "ussd": 0.4})
    language = _pick(rng, {"fr": 0.7, "en": 0.3})
    answers = {
        "lang": language, "consent": "yes", "district": district, "gender": gender, "age": age,
        "disability": disability, "travel_minutes": travel, "visit_cost": visit_cost, "visits_needed": visits,
        "wait": wait, "phone": phone, "helper": helper,
        "contact_channel": {"smartphone_internet": "telegram", "none": "office"}.get(phone) or _pick(rng, {"sms": 0.6, "call": 0.25, "radio": 0.15}),
        "comment": rng.choice(COMMENTS[language]) if rng.random() < 0.3 else None,
    }
    persona = Persona(channel=channel, language=language, answers=answers)
    roll = rng.random()
    if roll < 0.04:
        persona.behaviour, persona.answers["consent"] = "decline", "no"
    elif roll < 0.12:
        persona.behaviour, persona.drop_after = "drop", rng.randint(3, 11)
    elif roll < 0.13:
        persona.behaviour, persona.drop_after = "stop", rng.randint(2, 10)
    if channel == "ussd" and rng.random() < 0.15:
        persona.ussd_break = rng.randint(3, 10)
    return persona


def reply_to(persona: Persona, ask: Ask, rng: random.Random) -> str | None:
    """What the persona types in answer to a question; None when they walk away."""
    if persona.sent >= persona.drop_after:
        return "STOP" if persona.behaviour == "stop" else None
    persona.sent += 1
    if ask.question_id not in persona.retried and rng.random() < persona.slips:
        persona.retried.add(ask.question_id)
        return rng.choice(["?", "je sais pas", "ok", "hmm", "🙂"])
    value = persona.answers.get(ask.question_id)
    if value is None:
        return "PASSER" if persona.language == "fr" else "SKIP"
    if ask.kind == "number":
        return _number_text(value, ask.question_id, rng)
    if ask.kind == "text":
        return str(value)
    if ask.kind == "multi_choice":
        codes = [code for code, _ in ask.options]
        return " ".join(str(codes.index(v) + 1) for v in value)
    codes = [code for code, _ in ask.options]
    index = codes.index(value)
    if persona.channel != "ussd" and not ask.error and rng.random() < 0.15:  # some type the word, not the number
        return _typo(ask.options[index][1], rng)
    return str(index + 1)


def _number_text(value: int, question_id: str, rng: random.Random) -> str:
    if question_id == "travel_minutes" and value >= 60 and rng.random() < 0.5:
        hours, minutes = divmod(value, 60)
        return f"{hours}h{minutes:02d}" if minutes else f"{hours}h"
    if question_id == "travel_minutes" and rng.random() < 0.3:
        return f"{value} min"
    return str(value)


def _typo(label: str, rng: random.Random) -> str:
    word = label.lower()
    if len(word) >= 5 and rng.random() < 0.3:  # swap two neighbouring letters
        i = rng.randrange(1, len(word) - 2)
        word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[max(0.0, weights[k]) for k in keys])[0]
