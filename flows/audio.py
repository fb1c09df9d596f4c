"""A flow's recordings on disk: each referenced file exists and plays (WAV or MP3), each voice-language prompt has one.

Also the speakers' checklist: per language, every prompt's script and the file it goes to, so that
recording a consultation takes an afternoon with a phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from flows.errors import Problem
from flows.messages import message, yes_no_labels
from flows.model import Flow
from flows.voice_prompts import REQUIRED, WORDS, words

# What a call may say in the engine's words; a voice language without these hears silence there.
VOICE_MESSAGES = ("skipped", "resumed")
# Twilio's <Play> takes WAV and MP3; a file's first bytes say which it is, whatever its name.
WAV_MAGIC, ID3_MAGIC = b"RIFF", b"ID3"


@dataclass(frozen=True)
class Prompt:
    """One thing a call may say: where the flow records it, its name, and its script in a language."""

    path: str  # the YAML path of its `audio:` mapping, for problems
    key: str  # what the voice renderer asks for: intro, question:district, choice:district:nord, voice_keys
    name: str  # a file name suggestion: intro, district, district-nord, voice_keys
    files: dict[str, str]  # language -> recording, as declared
    required: bool  # a voice language cannot do without it
    only: str | None = None  # a language question's choice is said in its own language only


def audio_format(data: bytes) -> str | None:
    """'wav' or 'mp3' from a file's first bytes, or None for anything else."""
    if data[:4] == WAV_MAGIC and data[8:12] == b"WAVE":
        return "wav"
    if data[:3] == ID3_MAGIC or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"  # an ID3 tag, or straight into an MPEG audio frame (11 sync bits set)
    return None


def prompts(flow: Flow) -> Iterator[Prompt]:
    """Every prompt a call may say, in the order a caller hears them."""
    for key in ("intro", "voice_keys"):
        if key != "intro" or flow.intro:
            yield Prompt(f"audio.{key}", key, key, dict(flow.audio.get(key, {})), True)
    for i, question in enumerate(flow.questions):
        if question.type == "text" and not question.voice_record:
            continue  # passed over on voice
        # A language question is asked before anyone chose a voice language: its recordings are optional.
        yield Prompt(f"questions[{i}].audio", f"question:{question.id}", question.id, dict(question.audio),
                     question.type != "language")
        for j, choice in enumerate(question.choices):
            yield Prompt(f"questions[{i}].choices[{j}].audio", f"choice:{question.id}:{choice.code}",
                         f"{question.id}-{choice.code}", dict(choice.audio), True,
                         only=choice.code if question.type == "language" else None)
    for key in ("end", "declined"):
        if key == "end" or flow.declined:
            yield Prompt(f"audio.{key}", key, key, dict(flow.audio.get(key, {})), True)
    kinds = {question.type for question in flow.questions}
    # Only the words this flow's calls can say: no "type the number" without a number question.
    unused = {"number", "help_number"} - ({"number", "help_number"} if "number" in kinds else set())
    unused |= {"multi", "help_multi"} - ({"multi", "help_multi"} if "multi_choice" in kinds else set())
    if not any(question.voice_record for question in flow.questions):
        unused |= {"record_consent", "record_now", "recorded"}
    for name in WORDS:
        if name in unused or name in ("press", "press_language", "unavailable", "keys"):
            continue
        key = f"voice_{name}"
        # A caller must hear what consenting to a recording means, and when to speak, to agree to it.
        required = key in REQUIRED or key in ("voice_record_consent", "voice_record_now")
        yield Prompt(f"audio.{key}", key, key, dict(flow.audio.get(key, {})), required)
    for key in VOICE_MESSAGES:
        yield Prompt(f"audio.{key}", key, key, dict(flow.audio.get(key, {})), False)


def audio_problems(flow: Flow, folder: Path) -> list[Problem]:
    """Each recording missing or unplayable (errors), and each voice-language prompt without one."""
    problems: list[Problem] = []
    for prompt in prompts(flow):
        for lang, file in prompt.files.items():
            where = f"{prompt.path}.{lang}"
            path = folder / file
            try:
                with path.open("rb") as handle:
                    head = handle.read(12)
            except OSError:
                problems.append(Problem(where, f"recording '{file}' not found (paths are relative to the flow file)"))
                continue
            if audio_format(head) is None:
                problems.append(Problem(where, f"recording '{file}' is neither WAV nor MP3 (its first bytes say so)"))
        for lang in flow.voice_languages:
            if lang not in prompt.files and prompt.only in (None, lang):
                level = "error" if prompt.required else "warning"
                problems.append(Problem(prompt.path, f"voice language '{lang}' has no recording of {prompt.name}", level))
    return problems


def checklist(flow: Flow) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Per language, (file, script) for each prompt: what the speaker reads, and the file it goes to."""
    for lang in (*flow.voice_languages, *flow.languages):
        spoken_only = lang in flow.voice_languages
        source = flow.default_language if spoken_only else lang
        lines = []
        for prompt in prompts(flow):
            if prompt.only not in (None, lang):
                continue
            file = prompt.files.get(lang) or f"recordings/{lang}/{prompt.name}.mp3"
            lines.append((file, _script(flow, prompt, source)))
        yield lang, lines


def _script(flow: Flow, prompt: Prompt, lang: str) -> str:
    kind, _, rest = prompt.key.partition(":")
    if kind == "question":
        question = flow.question(rest)
        script = question.prompt[lang]
        if question.type == "yes_no":
            yes, no = (label for _code, label in yes_no_labels(lang))
            script += " " + words("press", lang, label=yes, key="1") + " " + words("press", lang, label=no, key="2")
        return script
    if kind == "choice":
        qid, code = rest.split(":")
        question = flow.question(qid)
        choice = question.choice(code)
        number = str(question.choices.index(choice) + 1)  # type: ignore[arg-type]
        if question.type == "language":
            said_in = code if code in flow.languages else lang  # a spoken-only language: its speaker translates
            return words("press_language", said_in, label=choice.label[lang], key=number)  # type: ignore[union-attr]
        return words("press", lang, label=choice.label[lang], key=number)  # type: ignore[union-attr]
    if prompt.key in ("intro", "end", "declined"):
        return getattr(flow, prompt.key)[lang]
    if prompt.key.startswith("voice_"):
        return words(prompt.key.removeprefix("voice_"), lang)
    return message(flow, prompt.key, lang)
