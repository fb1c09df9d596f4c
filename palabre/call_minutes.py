"""How long a call takes to say something, and the minutes Twilio bills for a call.

Twilio bills voice "any partial minutes (under 60 seconds) rounded up to the next full minute", per call.
"""

from __future__ import annotations

import math

# Twilio's <Say> voices, and people reading prompts aloud, speak about 150 words a minute: an estimate,
# used for recorded prompts too.
SPOKEN_WORDS_PER_MINUTE = 150
SECONDS_PER_MINUTE = 60


def speaking_seconds(words: int) -> int:
    """Seconds it takes to say this many words."""
    return math.ceil(words * SECONDS_PER_MINUTE / SPOKEN_WORDS_PER_MINUTE)


def billed_minutes(seconds: int) -> int:
    """The minutes Twilio bills for a call this long: every started minute, at least one."""
    return max(1, math.ceil(seconds / SECONDS_PER_MINUTE))
