"""The voice keys of a flow file: `voice_languages`, `audio:` on the flow, its questions and their choices, and `voice_record`.

    voice_languages: [wo]                       # spoken only: recordings, no written text
    audio:                                      # the flow's own prompts and the call's words, by name
      intro: {wo: recordings/wo/intro.mp3}
      voice_keys: {wo: recordings/wo/keys.mp3}  # "press 9 never to be called again, 0 for help..."
    questions:
      - id: comment
        type: text
        voice_record: true                      # on a call: asked to consent, then <Record> (text questions only)
      - id: district
        audio: {wo: recordings/wo/district.mp3, fr: recordings/fr/district.mp3}
        choices:
          - {code: nord, label: {fr: Nord, en: North}, audio: {wo: recordings/wo/district-nord.mp3}}

Paths are relative to the flow file. Whether each file exists and plays is checked by flows/audio.py,
which reads files; this module only checks the shape of the YAML.
"""

from __future__ import annotations

import re
from typing import Any

from flows.checks import Checks
from flows.messages import BUILTIN
from flows.model import QUESTION_TYPES
from flows.voice_prompts import RECORDABLE

LANGUAGE = re.compile(r"^[a-z]{2,3}$")
AUDIO_SUFFIXES = (".wav", ".mp3")
# The flow-level prompts a recording may replace: its own texts, the engine's messages, the call's words.
FLOW_PROMPTS = ("intro", "end", "declined", *BUILTIN, *RECORDABLE)


class VoiceChecks(Checks):
    """Checks of the voice keys; `self.voice_languages` is read before any text (texts are filled for them)."""

    def voice_language_list(self, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error("voice_languages", "must be a list of language codes spoken only, e.g. [wo]")
            return ()
        out: list[str] = []
        for i, lang in enumerate(value):
            if not (isinstance(lang, str) and LANGUAGE.match(lang)):
                self.error(f"voice_languages[{i}]", f"not a language code: {lang!r}")
            elif lang in self.languages:
                self.error(f"voice_languages[{i}]", f"'{lang}' is written (in languages): a voice language has no text")
            elif lang in out:
                self.error(f"voice_languages[{i}]", f"duplicate language '{lang}'")
            else:
                out.append(lang)
        return tuple(out)

    def audio(self, value: Any, path: str) -> dict[str, str]:
        """A prompt's recordings: {language: relative path to a .wav or .mp3 file}."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(path, "must map a language to a recording, e.g. {wo: recordings/wo/district.mp3}")
            return {}
        out = {}
        for lang, file in value.items():
            if lang not in (*self.languages, *self.voice_languages):
                self.error(f"{path}.{lang}", f"language '{lang}' is not in languages or voice_languages")
            elif not (isinstance(file, str) and file.strip()):
                self.error(f"{path}.{lang}", "must be the path of a recording, relative to the flow file")
            elif not file.lower().endswith(AUDIO_SUFFIXES):
                self.error(f"{path}.{lang}", f"'{file}' is not a .wav or .mp3 file (Twilio's <Play> plays those)")
            elif file.startswith("/") or ".." in file.replace("\\", "/").split("/"):
                self.error(f"{path}.{lang}", f"'{file}' must stay inside the flow's folder (no absolute path, no '..')")
            else:
                out[lang] = file
        return out

    def voice_record(self, value: Any, path: str, qtype: Any) -> bool:
        """Whether a call records the answer to this question: a free-text question only."""
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(path, "must be true or false")
            return False
        if value and qtype != "text" and qtype in QUESTION_TYPES:
            self.error(path, f"only a text question can be answered by a recording, not a {qtype} question")
            return False
        return value

    def flow_audio(self, value: Any) -> dict[str, dict[str, str]]:
        if value is None:
            return {}
        raw = self.mapping(value, "audio", set(FLOW_PROMPTS))
        if raw is None:
            return {}
        return {key: files for key, item in raw.items() if key in FLOW_PROMPTS and (files := self.audio(item, f"audio.{key}"))}
