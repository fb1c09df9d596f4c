"""Keypad answers: what the digits a caller pressed mean for the question they were asked.

    one-key questions (choice, language, yes/no): 1..8 the option, 9 STOP, 0 help, * repeat
    multi-choice: the options' keys then #  (13# = options 1 and 3); 9, 0 or * alone as above
    numbers: the digits then #; *9 STOP, *0 help, * repeat (9 and 0 alone are numbers)

Twilio posts the keys pressed before the finishing # as `Digits`, without the #; a <Gather> that
timed out posts an empty `Digits` (with actionOnEmptyResult), which the engine takes as an
answer it cannot read: asked again, then moved on after its 3 tries, as for any unreadable answer.
"""

from __future__ import annotations

from dataclasses import dataclass

STOP_KEY, HELP_KEY, REPEAT_KEY = "9", "0", "*"
# Keys 9 and 0 are commands, so a question said on the keypad offers at most 8 options.
MAX_KEYED_OPTIONS = 8
ONE_KEY_KINDS = ("choice", "language", "yes_no")
REPEAT, STOP, HELP = "repeat", "stop", "help"


@dataclass(frozen=True)
class Keys:
    """What a keypad entry asks for: a command (repeat, stop, help), or an answer as the engine reads text."""

    command: str | None = None
    text: str = ""


def read_keys(digits: str, kind: str) -> Keys:
    """The meaning of `digits` for a question of this kind."""
    digits = "".join(ch for ch in digits if ch in "0123456789*#").rstrip("#")
    if kind == "number":
        commands = {"*": REPEAT, "*" + STOP_KEY: STOP, "*" + HELP_KEY: HELP}
        if digits in commands:
            return Keys(commands[digits])
        return Keys(text=digits.replace("*", ""))
    commands = {REPEAT_KEY: REPEAT, STOP_KEY: STOP, HELP_KEY: HELP}
    if digits in commands:
        return Keys(commands[digits])
    if kind == "multi_choice":
        return Keys(text=" ".join(digits.replace("*", "")))  # "13" reads as "1 3", options 1 and 3
    return Keys(text=digits[:1] if kind in ONE_KEY_KINDS else digits)


# The keys of the consent asked before recording an answer (`voice_record` questions).
RECORD, SKIP, SILENT, UNCLEAR = "record", "skip", "silent", "unclear"
CONSENT_KEYS = {"1": RECORD, "2": SKIP, STOP_KEY: STOP, REPEAT_KEY: REPEAT, HELP_KEY: REPEAT}


def read_consent(digits: str) -> str:
    """What a key pressed at the consent to be recorded means: 1 record, 2 skip, 9 stop, * or 0 hear it again."""
    digits = "".join(ch for ch in digits if ch in "0123456789*#").rstrip("#")
    if not digits:
        return SILENT
    return CONSENT_KEYS.get(digits, UNCLEAR)
