"""What a call costs the authority: how long a completed call lasts, estimated from what it says, and its price.

    length = words said / SPOKEN_WORDS_PER_MINUTE + ANSWER_SECONDS per question asked
             (+ RECORD_MAX_SECONDS for each answer a call records)
    cost   = Twilio's billed minutes (each call's length rounded up to the minute) x VOICE_PRICE_PER_MINUTE

An upper bound for one completed call: every question asked (none passed over by its `when`), no
re-prompt. A call nobody answers costs nothing; one that stops early costs less. Twilio bills "any
partial minutes (under 60 seconds) rounded up to the next full minute", per call.
"""

from __future__ import annotations

from dataclasses import dataclass

from bots.voice_record import RECORD_MAX_SECONDS
from bots.voice_twiml import spoken
from flows.engine import ask
from flows.model import Flow
from flows.state import State
from flows.voice_prompts import words
from palabre.call_minutes import billed_minutes, speaking_seconds

# The time a caller takes to press an answer's keys once the question is said (a <Gather> waits 8 s at most).
ANSWER_SECONDS = 4


@dataclass(frozen=True)
class CallEstimate:
    """One completed call in one language: the questions it asks, what it says, and how long it lasts."""

    language: str
    questions: int
    words: int
    seconds: int

    @property
    def billed_minutes(self) -> int:
        """The minutes Twilio bills for it: its length rounded up to the next whole minute."""
        return billed_minutes(self.seconds)

    def cost(self, price_per_minute: float) -> float:
        """Its price at `price_per_minute`."""
        return self.billed_minutes * price_per_minute


def call_estimates(flow: Flow) -> list[CallEstimate]:
    """The estimated length of a completed call in each language the calls speak."""
    recorded = frozenset(q.id for q in flow.questions if q.voice_record)
    estimates = []
    for language in (*flow.languages, *flow.voice_languages):
        # A spoken-only language's prompts are recordings of the first language's script: about as long.
        script = language if language in flow.languages else flow.default_language
        state = State(language=script)
        said = [flow.intro[script], words("keys", script)] if flow.intro else []
        asked, extra_seconds = 0, 0
        for question in flow.questions:
            if question.type == "text" and question.id not in recorded:
                continue  # passed over on calls
            asked += 1
            said += [line for line in spoken([ask(flow, state, question)], script, recorded=recorded)
                     if not line.startswith(("⌨", "☎", "▶"))]
            if question.id in recorded:  # consent, then "speak after the beep" and the answer itself at its longest
                said += [words("record_now", script), words("recorded", script)]
                extra_seconds += ANSWER_SECONDS + RECORD_MAX_SECONDS
        said.append(flow.end[script])
        count = sum(len(line.split()) for line in said)
        seconds = speaking_seconds(count) + asked * ANSWER_SECONDS + extra_seconds
        estimates.append(CallEstimate(language, asked, count, seconds))
    return estimates
