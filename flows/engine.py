"""Step a conversation: (flow, state, inbound text, now) -> (new state, events). Pure: no I/O, no clock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flows import answers as parsing
from flows.events import (
    AnswerCleared, AnswerInvalid, AnswerRecorded, Ask, Event, Finished, LanguageChanged, OptedOut,
    QuestionSkipped, Say,
)
from flows.messages import either, message, yes_no_labels
from flows.model import Flow, Question
from flows.state import ACTIVE, COMPLETED, DECLINED, EXPIRED, OPTED_OUT, State

# After this many answers that cannot be understood, stop insisting and move on: an optional
# question is skipped, a required one is recorded as not understood.
MAX_ATTEMPTS = 3
# Free-text answers longer than this are cut: an SMS body is at most 1,600 characters.
MAX_TEXT = 1600
SKIP_WORDS = {"passer", "skip", "suivant", "next", "pass"}
Step = tuple[State, list[Event]]
# How one flow's replies were read, kept by a caller that steps many conversations through the same
# replies (an import of thousands of questionnaires): each distinct reply to each question is read
# once. Reading a reply depends only on the flow, the question, the reply and the language, so the
# memo changes nothing but the time; one memo per Flow object, since keys name questions by id.
Memo = dict


def start(flow: Flow, now: float, language: str | None = None) -> Step:
    """Begin a conversation: the intro, then the first question that applies."""
    lang = language if language in flow.languages else flow.default_language
    state = State(language=lang, last_activity=now)
    events: list[Event] = []
    if flow.intro:
        events.append(Say("intro", flow.intro[lang]))
    return _advance(flow, state, 0, events)


def step(flow: Flow, state: State, text: str, now: float, memo: Memo | None = None) -> Step:
    """Take one inbound message and answer it (`memo`: see Memo)."""
    if state.status != ACTIVE:
        return state, []
    state = state.with_(last_activity=now)
    command = _remembered(memo, ("command", text), lambda: parsing.match_global_command(text))
    if command == "stop":
        # `current` is kept so that START can pick the conversation up where it stopped.
        return state.with_(status=OPTED_OUT), [OptedOut(), Say("opted_out", message(flow, "opted_out", state.language))]
    if command == "help":
        return _help(flow, state)
    if command == "back":
        return _back(flow, state)
    return _answer(flow, state, text, memo)


def _remembered(memo: Memo | None, key: tuple, read):
    """read(), or what it gave for the same key before."""
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def resume(flow: Flow, state: State, now: float, key: str = "resumed") -> Step:
    """Ask the pending question again after a break (a dropped USSD session, an opt-in)."""
    state = state.with_(last_activity=now)
    if state.status != ACTIVE or state.current is None:
        return state, []
    return state, [Say(key, message(flow, key, state.language)), ask(flow, state, flow.question(state.current))]


def opt_in(flow: Flow, state: State, now: float) -> Step:
    """Reopen a conversation the citizen stopped, at the question it stood at."""
    if state.status != OPTED_OUT or state.current is None:
        return state, []
    return resume(flow, state.with_(status=ACTIVE), now, key="opted_in")


def set_language(flow: Flow, state: State, language: str, now: float) -> Step:
    """Switch the conversation to another of the flow's languages and ask the pending question in it."""
    state = state.with_(last_activity=now)
    if state.status != ACTIVE or state.current is None or language not in flow.languages:
        return state, []
    events: list[Event] = []
    if language != state.language:
        state = state.with_(language=language)
        events.append(LanguageChanged(language))
    return state, events + [ask(flow, state, flow.question(state.current))]


def is_idle(state: State, now: float, idle_seconds: float) -> bool:
    """Whether an active conversation has waited longer than the idle limit."""
    return state.status == ACTIVE and now - state.last_activity > idle_seconds


def expire(state: State) -> Step:
    """Close an idle conversation; it stays stored as incomplete."""
    return state.with_(status=EXPIRED, current=None), [Finished(EXPIRED)]


def ask(flow: Flow, state: State, question: Question, error: str | None = None) -> Ask:
    """The Ask event for a question in the conversation's language."""
    lang = state.language
    if question.type == "yes_no":
        options = yes_no_labels(lang)
    else:
        options = tuple((c.code, c.label[lang]) for c in question.choices)
    hint = message(flow, "optional_hint", lang) if question.optional and question.type in ("text", "number") else None
    return Ask(
        question_id=question.id, kind=question.type, text=fill(flow, state, question.prompt[lang]), options=options,
        error=error, hint=hint, position=flow.index(question.id) + 1, total=len(flow.questions),
        listed=question.list_choices,
    )


def _advance(flow: Flow, state: State, index: int, events: list[Event]) -> Step:
    """Move to the first question from `index` on whose condition holds, or finish."""
    answers = dict(state.answers)
    history = list(state.history)
    for question in flow.questions[index:]:
        if question.when is None or question.when.test(answers):
            state = state.with_(current=question.id, attempts=0, answers=answers, history=tuple(history))
            events.append(ask(flow, state, question))
            return state, events
        if question.id in answers:  # a changed earlier answer made this one moot
            del answers[question.id]
            events.append(AnswerCleared(question.id))
        events.append(QuestionSkipped(question.id, "condition"))
    state = state.with_(current=None, attempts=0, answers=answers, history=tuple(history), status=COMPLETED)
    events += [Say("end", fill(flow, state, flow.end[state.language])), Finished(COMPLETED)]
    return state, events


@dataclass(frozen=True)
class _Parsed:
    """A reply read against a question: the value, or the re-prompt; what to echo; whether it counts as a failed try."""

    value: Any = None
    error: str | None = None
    guessed: bool = False  # read through a typo, in words or inside a sentence: echo what was understood
    attempt: bool = True  # an ambiguous reply asks which one, without using up a try


def _answer(flow: Flow, state: State, text: str, memo: Memo | None = None) -> Step:
    question = flow.question(state.current)  # type: ignore[arg-type]
    raw = text[:MAX_TEXT]
    if _remembered(memo, ("skip", raw), lambda: parsing.normalize(raw) in SKIP_WORDS):
        if question.optional:
            return _move_on(flow, state, question, [QuestionSkipped(question.id, "declined")])
        parsed = _Parsed(error=message(flow, "required", state.language))
    elif memo is None or question.type == "text":  # free text: cheap to read, and rarely the same twice
        parsed = _parse(flow, question, raw, state.language)
    else:
        parsed = _remembered(memo, (question.id, raw, state.language), lambda: _parse(flow, question, raw, state.language))
        if isinstance(parsed.value, list):  # each conversation records a list of its own
            parsed = _Parsed(list(parsed.value), parsed.error, parsed.guessed, parsed.attempt)
    if parsed.error is None:
        return _record(flow, state, question, parsed.value, raw, parsed.guessed)
    if question.retry and parsed.attempt:  # the flow's own words for "not understood, try again"
        parsed = _Parsed(error=fill(flow, state, question.retry[state.language], raw))
    if not parsed.attempt:
        return state, [ask(flow, state, question, parsed.error)]
    attempt = state.attempts + 1
    events: list[Event] = [AnswerInvalid(question.id, raw, attempt)]
    if attempt < MAX_ATTEMPTS:
        return state.with_(attempts=attempt), events + [ask(flow, state, question, parsed.error)]
    if question.optional:
        events.append(QuestionSkipped(question.id, "invalid"))
    else:
        events.append(AnswerRecorded(question.id, None, raw, valid=False))
    # Say so: otherwise the citizen would take the next question as a sign the answer was understood.
    events.append(Say("skipped", message(flow, "skipped", state.language)))
    return _move_on(flow, state, question, events)


def _record(flow: Flow, state: State, question: Question, value: Any, raw: str, guessed: bool = False) -> Step:
    events: list[Event] = [AnswerRecorded(question.id, value, raw)]
    state = state.with_(answers={**state.answers, question.id: value})
    if question.type == "language" and value != state.language:
        state = state.with_(language=value)
        events.append(LanguageChanged(value))
        if flow.intro and not state.history:  # the intro was read in another language: say it again
            events.append(Say("intro", flow.intro[value]))
    if guessed:
        # A typo corrected or an answer picked out of a sentence: say what was recorded, so that
        # a wrong guess can be undone with BACK before it counts.
        events.append(Say("understood", message(flow, "understood", state.language, answer=_in_language(question, value, state.language))))
    for follow_up in question.then:
        if follow_up.when is not None and not follow_up.when.test(state.answers):
            continue
        if follow_up.language is not None and follow_up.language != state.language:
            state = state.with_(language=follow_up.language)
            events.append(LanguageChanged(follow_up.language))
        if follow_up.say is not None:
            events.append(Say("then", fill(flow, state, follow_up.say[state.language], raw)))
    if question.end_if is not None and question.end_if.test(state.answers):
        text = (flow.declined or flow.end)[state.language]
        state = state.with_(status=DECLINED, current=None, history=state.history + (question.id,))
        return state, events + [Say("declined", text), Finished(DECLINED)]
    return _move_on(flow, state, question, events, answered=True)


def _move_on(flow: Flow, state: State, question: Question, events: list[Event], answered: bool = False) -> Step:
    answers = state.answers
    if question.id in answers and not answered:  # skipped on the way back: drop the old answer
        answers = {k: v for k, v in answers.items() if k != question.id}
        # An invalid AnswerRecorded already overwrites the stored row; clearing after it would delete it.
        if not any(isinstance(e, AnswerRecorded) and e.question_id == question.id for e in events):
            events.append(AnswerCleared(question.id))
    state = state.with_(answers=answers, history=state.history + (question.id,))
    return _advance(flow, state, flow.index(question.id) + 1, events)


def _back(flow: Flow, state: State) -> Step:
    current = flow.question(state.current)  # type: ignore[arg-type]
    if not state.history:
        return state, [Say("back_first", message(flow, "back_first", state.language)), ask(flow, state, current)]
    previous = flow.question(state.history[-1])
    state = state.with_(current=previous.id, attempts=0, history=state.history[:-1])
    return state, [ask(flow, state, previous)]


def _help(flow: Flow, state: State) -> Step:
    question = flow.question(state.current)  # type: ignore[arg-type]
    how = "help_choice" if question.choices or question.type == "yes_no" else f"help_{question.type}"
    text = message(flow, how, state.language) + " " + message(flow, "help", state.language)
    if question.optional:
        text += " " + message(flow, "optional_hint", state.language)
    if question.help:
        text = f"{question.help[state.language]}\n{text}"
    return state, [Say("help", text), ask(flow, state, question)]


def _parse(flow: Flow, question: Question, raw: str, lang: str) -> _Parsed:
    """The normalised answer, or the re-prompt saying what is expected."""
    kind = question.type
    if kind in ("choice", "language", "yes_no"):
        if kind == "yes_no":
            reading, options = parsing.read_yes_no(raw), yes_no_labels(lang)
        else:
            reading = parsing.read_choice(raw, _options(question))
            options = tuple((c.code, c.label[lang]) for c in question.choices)
        if reading.indexes:
            return _Parsed(options[reading.indexes[0]][0], guessed=reading.guessed)
        if reading.candidates:
            named = [f"{i + 1} {options[i][1]}" for i in reading.candidates]
            return _Parsed(error=message(flow, "ambiguous", lang, candidates=either(lang, named)), attempt=False)
        key = "invalid_yes_no" if kind == "yes_no" else "invalid_choice"
        return _Parsed(error=message(flow, key, lang, count=len(question.choices)))
    if kind == "multi_choice":
        reading = parsing.read_multi_choice(raw, _options(question))
        if not reading.indexes:
            return _Parsed(error=message(flow, "invalid_multi", lang))
        codes = [question.choices[i].code for i in reading.indexes]
        return _Parsed(codes, guessed=reading.guessed)
    if kind == "number":
        return _parse_number(flow, question, raw, lang)
    text = " ".join("".join(ch for ch in raw if ch.isprintable() or ch.isspace()).split())
    return _Parsed(text) if text else _Parsed(error=message(flow, "invalid_text", lang))


def _parse_number(flow: Flow, question: Question, raw: str, lang: str) -> _Parsed:
    number = parsing.parse_number(raw, question.unit)
    if number is None:
        example = "45" if question.unit != "minutes" else ("1h30" if lang == "fr" else "90")
        return _Parsed(error=message(flow, "invalid_number", lang, example=example))
    if question.integer and not float(number).is_integer():
        return _Parsed(error=message(flow, "invalid_integer", lang, example=_show(question.min if question.min else 2)))
    low = question.min if question.min is not None else float("-inf")
    high = question.max if question.max is not None else float("inf")
    if not low <= number <= high:
        return _Parsed(error=message(flow, "number_range", lang, min=_show(question.min), max=_show(question.max)))
    return _Parsed(number, guessed=parsing.spells_a_number(raw))


def fill(flow: Flow, state: State, text: str, raw: str | None = None) -> str:
    """A flow text with `{question}` (the answer as the citizen reads it), `{question.category}` (in the flow's
    first language), `{input}` (the message just received) and `|title`, `|upper`, `|lower` filled in."""
    if "{" not in text:
        return text

    def value(match: re.Match) -> str:
        name, part, case = match["name"], match["part"], match["case"]
        if name == "input":
            found = raw or ""
        else:
            try:
                question = flow.question(name)
            except KeyError:
                return match[0]  # not ours: leave the braces as written
            answer = state.answers.get(name)
            lang = flow.default_language if part == "category" else state.language
            found = "" if answer is None else _in_language(question, answer, lang) if question.type != "text" else str(answer)
        return {"title": found.title(), "upper": found.upper(), "lower": found.lower()}.get(case or "", found)

    return _PLACEHOLDER.sub(value, text)


_PLACEHOLDER = re.compile(r"\{(?P<name>[a-z_][a-z0-9_]*)(?:\.(?P<part>category))?(?:\|(?P<case>title|upper|lower))?\}")


def _in_language(question: Question, value: Any, lang: str) -> str:
    """The recorded answer as the citizen reads it: choice labels, Oui/Non, or the number."""
    if question.type == "number":
        return f"{_show(value)} minutes" if question.unit == "minutes" else _show(value)
    if question.type == "yes_no":
        return dict(yes_no_labels(lang))[value]
    codes = value if isinstance(value, list) else [value]
    return ", ".join(question.choice(code).label[lang] for code in codes)  # type: ignore[union-attr]


def _show(limit: float | None) -> str:
    if limit is None:
        return "..."
    return str(int(limit)) if float(limit).is_integer() else str(limit)


def _options(question: Question) -> list[parsing.ChoiceOption]:
    # The code apart from the labels and keywords: a citizen never saw it, so matching it is a guess.
    return [parsing.ChoiceOption(c.code, (*c.label.values(), *(w for words in c.keywords.values() for w in words)))
            for c in question.choices]
