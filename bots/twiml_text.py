"""TwiML written as text, byte for byte what twilio's builder writes, without an ElementTree per answer.

twilio's `VoiceResponse` builds every answer as an ElementTree and serialises it: three quarters
of a voice step's TwiML time, and a tenth of the whole step (py-spy over bench/webhooks.py's voice
phase). `Verb` keeps the builder's calls the voice channel uses (`say`, `play`, `hangup`, `record`,
`reject`, `append`) and writes what `str(VoiceResponse())` writes: attributes in lower camel case,
sorted, booleans as `true`/`false`, text and attributes escaped as ElementTree escapes them, an empty
element as `<Name />`. tests/bots/voice/test_voice_twiml_text.py holds the two to the same output.
"""

from __future__ import annotations

from typing import Any

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


class Verb:
    """One TwiML element: a name, attributes, a text, and nested elements."""

    __slots__ = ("name", "text", "attrs", "children")

    def __init__(self, name: str, text: str | None = None, **attrs: Any):
        self.name, self.text = name, text
        self.attrs = {_camel(key): value for key, value in attrs.items() if value is not None}
        self.children: list[Verb] = []

    def append(self, verb: Verb) -> Verb:
        self.children.append(verb)
        return self

    def say(self, message: str, language: str | None = None) -> Verb:
        return self.append(Verb("Say", message, language=language))

    def play(self, url: str) -> Verb:
        return self.append(Verb("Play", url))

    def hangup(self) -> Verb:
        return self.append(Verb("Hangup"))

    def reject(self, reason: str | None = None) -> Verb:
        return self.append(Verb("Reject", reason=reason))

    def record(self, **attrs: Any) -> Verb:
        return self.append(Verb("Record", **attrs))

    def xml(self) -> str:
        attrs = "".join(f' {key}="{_attribute(self.attrs[key])}"' for key in sorted(self.attrs))
        inner = (_text(self.text) if self.text else "") + "".join(child.xml() for child in self.children)
        return f"<{self.name}{attrs}>{inner}</{self.name}>" if inner else f"<{self.name}{attrs} />"

    def __str__(self) -> str:
        return DECLARATION + self.xml()


def response() -> Verb:
    """An empty <Response>, the root of every answer."""
    return Verb("Response")


def _camel(name: str) -> str:
    if "_" not in name:
        return name
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: Any) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return (_text(text).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#09;"))
