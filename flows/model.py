"""The typed shape of a consultation flow, as loaded from YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from flows.expr import Expression

QUESTION_TYPES = ("choice", "multi_choice", "number", "yes_no", "text", "language")
# Every export starts with these columns (and `channel`, `language` are built-in profile groups),
# so no question may take one of these ids.
RESERVED_IDS = ("response_id", "participant", "channel", "language", "status", "started_at", "completed_at")

# A piece of text in every language of the flow: {"fr": "...", "en": "..."}.
Text = Mapping[str, str]
# A prompt's recordings, by language, as paths relative to the flow file: {"wo": "recordings/wo/district.mp3"}.
Audio = Mapping[str, str]


@dataclass(frozen=True)
class Choice:
    code: str
    label: Text
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    audio: Audio = field(default_factory=dict)  # "for North, press 2", recorded; voice says it after the prompt

    def aliases(self) -> tuple[str, ...]:
        """Every word that selects this choice, in every language."""
        words = [self.code, *self.label.values()]
        for kws in self.keywords.values():
            words.extend(kws)
        return tuple(words)


@dataclass(frozen=True)
class FollowUp:
    """Said (or done) right after its question is answered, when `when` holds: what a RapidPro route says."""

    when: Expression | None = None
    say: Text | None = None
    language: str | None = None  # switch the conversation to this language (RapidPro's set_contact_language)


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: Text
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    integer: bool = False  # whole numbers only (a count of visits, an age)
    bands: tuple[float, ...] = ()
    when: Expression | None = None
    end_if: Expression | None = None
    optional: bool = False
    help: Text | None = None
    short: Text | None = None  # a few words naming the question on pages and charts ("Distance", "Âge")
    retry: Text | None = None  # said instead of the engine's own words when an answer is not understood
    list_choices: bool = True  # false: the prompt names the options itself (imported RapidPro flows)
    then: tuple[FollowUp, ...] = ()  # said after a valid answer, in order, each when its condition holds
    audio: Audio = field(default_factory=dict)  # the prompt recorded, played on voice instead of <Say>
    voice_record: bool = False  # a text question a call may answer by a short recording (after consent)

    def choice(self, code: str) -> Choice | None:
        """The choice with this code, if any."""
        return next((c for c in self.choices if c.code == code), None)

    def band(self, value: float | None) -> str | None:
        """The band label of a number answer: '<18', '18-29', ... '60+'."""
        if value is None or not self.bands:
            return None
        edges = self.bands
        if value < edges[0]:
            return f"<{_fmt(edges[0])}"
        for low, high in zip(edges, edges[1:]):
            if low <= value < high:
                return f"{_fmt(low)}-{_fmt(high - 1)}"
        return f"{_fmt(edges[-1])}+"

    def band_labels(self) -> tuple[str, ...]:
        """All band labels in order, lowest first."""
        if not self.bands:
            return ()
        return tuple(self.band(v) for v in (self.bands[0] - 1, *self.bands))  # type: ignore[misc]


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


@dataclass(frozen=True)
class Indicator:
    id: str
    deprived_if: Expression
    weight: float
    label: Text | None = None


@dataclass(frozen=True)
class Dimension:
    id: str
    weight: float
    indicators: tuple[Indicator, ...]
    label: Text | None = None


@dataclass(frozen=True)
class Coverage:
    """The question that tells who a phone consultation could not reach, and its answers that mean so."""

    question: str  # a choice question, e.g. `phone`
    unreached: tuple[str, ...]  # its codes for people without a phone of their own, e.g. ("none",)
    # Share of the population assumed unreached when no census target gives it (0 < share < 1).
    assumed_share: float | None = None


@dataclass(frozen=True)
class Profile:
    cutoff: float
    groups: tuple[str, ...]
    dimensions: tuple[Dimension, ...]
    min_cell: int | None = None
    coverage: Coverage | None = None

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Every indicator, in dimension order."""
        return tuple(i for d in self.dimensions for i in d.indicators)


@dataclass(frozen=True)
class Flow:
    id: str
    title: Text
    languages: tuple[str, ...]
    questions: tuple[Question, ...]
    end: Text
    keywords: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    commitment: Text | None = None
    intro: Text | None = None
    declined: Text | None = None
    messages: Mapping[str, Text] = field(default_factory=dict)
    profile: Profile | None = None
    # Spoken only: recorded by a local speaker, no written text (their texts hold the first language's,
    # so that the engine runs unchanged); offered on the language question.
    voice_languages: tuple[str, ...] = ()
    audio: Mapping[str, Audio] = field(default_factory=dict)  # intro, end, declined, engine and voice words

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def question(self, question_id: str) -> Question:
        """The question with this id (KeyError if none)."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def index(self, question_id: str) -> int:
        """The position of a question in the flow."""
        return next(i for i, q in enumerate(self.questions) if q.id == question_id)
