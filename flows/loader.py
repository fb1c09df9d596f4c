"""Load a consultation flow from YAML and check every rule, naming the path of each problem."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from flows.checks import QUESTION_ID, is_number, kind_of
from flows.errors import FlowInvalid, Problem
from flows.expr import Expression
from flows.messages import BUILTIN
from flows.model import QUESTION_TYPES, RESERVED_IDS, Choice, Flow, FollowUp, Question
from flows.profile_rules import ProfileChecks
from flows.voice_rules import VoiceChecks

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CHOICE_CODE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
PURPOSES = ("legitimacy", "budget_accountability", "citizen_voice", "transparency", "simpler_procedures")
MESSAGE_KEYS = tuple(BUILTIN)  # every engine message can be reworded by a flow

TOP_KEYS = {
    "id", "title", "languages", "keywords", "purposes", "commitment", "intro", "questions",
    "end", "declined", "messages", "profile", "voice_languages", "audio",
}
QUESTION_KEYS = {
    "id", "type", "prompt", "choices", "min", "max", "unit", "bands", "integer", "when", "end_if",
    "optional", "help", "short", "retry", "then", "list_choices", "audio", "voice_record",
}
FOLLOW_UP_KEYS = {"say", "when", "language"}
CHOICE_KEYS = {"code", "label", "keywords", "audio"}
# The largest file an official could reasonably write; bigger is a mistake or an attack.
MAX_FLOW_BYTES = 1_000_000


def load_flow(path: str | Path) -> Flow:
    """Read and validate a flow file; raise FlowInvalid listing every problem."""
    flow, problems = check_flow_file(path)
    if flow is None:
        raise FlowInvalid(problems, str(path))
    return flow


def check_flow_file(path: str | Path) -> tuple[Flow | None, list[Problem]]:
    """Validate a flow file; return the flow (None when invalid) and all problems."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem("", f"cannot read file: {exc.strerror or exc}")]
    if len(raw) > MAX_FLOW_BYTES:
        return None, [Problem("", f"file is larger than {MAX_FLOW_BYTES} bytes")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem("", f"not UTF-8 text (byte {exc.start})")]
    return check_flow_text(text)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key written twice in one mapping (PyYAML silently keeps the last)."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue  # a `<<` merge may be overridden on purpose
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def check_flow_text(text: str) -> tuple[Flow | None, list[Problem]]:
    """Validate flow YAML text; return the flow (None when invalid) and all problems."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        # "end of stream" alone hides the cause: say where the unclosed quote or bracket opened.
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start and mark and start.line != mark.line:
            reason += f" ({context} at line {start.line + 1}, column {start.column + 1})"
        return None, [Problem("", f"not valid YAML{where}: {reason}")]
    return check_flow_data(data)


def check_flow_data(data: Any) -> tuple[Flow | None, list[Problem]]:
    """Validate already-parsed flow data; return the flow (None when invalid) and all problems."""
    checker = _Checker()
    flow = checker.flow(data)
    errors = [p for p in checker.problems if p.level == "error"]
    return (None if errors else flow), checker.problems


class _Checker(VoiceChecks, ProfileChecks):
    """Walks the raw YAML once, collecting problems and building the typed flow."""

    # -- the flow -----------------------------------------------------------------

    def flow(self, data: Any) -> Flow | None:
        if data is None:
            self.error("", "the file is empty (expected keys id, title, languages, questions, end)")
            return None
        if not isinstance(data, dict):
            self.error("", f"the file must be a mapping of keys (id: ..., title: ...), not {kind_of(data)}")
            return None
        top = self.mapping(data, "", TOP_KEYS, ("id", "title", "languages", "questions", "end"))
        if top is None:
            return None
        flow_id = top.get("id")
        if "id" in top and not (isinstance(flow_id, str) and SLUG.match(flow_id)):
            self.error("id", f"must be a slug of a-z, 0-9 and '-', not {flow_id!r}")
        self.languages = self.language_list(top.get("languages"))
        if not self.languages:
            return None
        self.voice_languages = self.voice_language_list(top.get("voice_languages"))
        title = self.text(top["title"], "title") if "title" in top else None
        end = self.text(top["end"], "end") if "end" in top else None
        optional_texts = {k: self.text(top[k], k) if k in top else None for k in ("commitment", "intro", "declined")}
        keywords = self.string_list(top["keywords"], "keywords") if "keywords" in top else ()
        purposes = self.purposes(top.get("purposes"))
        messages = self.messages(top.get("messages"))
        questions = self.questions(top.get("questions"))
        profile = self.profile(top["profile"], questions) if "profile" in top else None
        if None in (title, end) or not isinstance(flow_id, str):
            return None
        return Flow(
            id=flow_id, title=title, languages=self.languages, questions=questions, end=end,  # type: ignore[arg-type]
            keywords=keywords, purposes=purposes, messages=messages, profile=profile, **optional_texts,
            voice_languages=self.voice_languages, audio=self.flow_audio(top.get("audio")),
        )

    def language_list(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            self.error("languages", "must be a non-empty list of language codes, e.g. [fr, en]")
            return ()
        langs: list[str] = []
        for i, lang in enumerate(value):
            if not (isinstance(lang, str) and LANGUAGE.match(lang)):
                self.error(f"languages[{i}]", f"not a language code: {lang!r}")
            elif lang in langs:
                self.error(f"languages[{i}]", f"duplicate language '{lang}'")
            else:
                langs.append(lang)
        return tuple(langs)

    def purposes(self, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        words = self.string_list(value, "purposes")
        for i, word in enumerate(words):
            if word not in PURPOSES:
                self.error(f"purposes[{i}]", f"unknown purpose '{word}' (known: {', '.join(PURPOSES)})")
        return words

    def messages(self, value: Any) -> dict:
        if value is None:
            return {}
        raw = self.mapping(value, "messages", set(MESSAGE_KEYS))
        if raw is None:
            return {}
        return {k: t for k, v in raw.items() if k in MESSAGE_KEYS and (t := self.text(v, f"messages.{k}"))}

    def questions(self, value: Any) -> tuple[Question, ...]:
        if not isinstance(value, list) or not value:
            self.error("questions", "must be a non-empty list of questions")
            return ()
        seen: dict[str, int] = {}
        built: list[Question] = []
        self.all_ids = {q["id"] for q in value if isinstance(q, dict) and isinstance(q.get("id"), str)}
        for i, raw in enumerate(value):
            question = self.question(raw, f"questions[{i}]", seen, built)
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                seen.setdefault(raw["id"], i)
                self.asked_ids.add(raw["id"])
            if question is not None:
                built.append(question)
        self.broken_ids = self.all_ids - {q.id for q in built}
        return tuple(built)

    def question(self, raw: Any, path: str, seen: dict[str, int], earlier: list[Question]) -> Question | None:
        q = self.mapping(raw, path, QUESTION_KEYS, ("id", "type", "prompt"))
        if q is None:
            return None
        qid, qtype = q.get("id"), q.get("type")
        ok = True
        if not (isinstance(qid, str) and QUESTION_ID.match(qid)):
            self.error(f"{path}.id", f"must match [a-z_][a-z0-9_]*, not {qid!r}")
            ok = False
        elif qid in seen:
            self.error(f"{path}.id", f"duplicate question id '{qid}' (first at questions[{seen[qid]}])")
            ok = False
        elif qid in RESERVED_IDS:
            self.error(f"{path}.id", f"'{qid}' is reserved (an export column); choose another id")
            ok = False
        if qtype not in QUESTION_TYPES:
            self.error(f"{path}.type", f"unknown type {qtype!r} (one of {', '.join(QUESTION_TYPES)})")
            ok = False
        prompt = self.text(q["prompt"], f"{path}.prompt") if "prompt" in q else None
        choices = self.choices(q, path, qtype)
        limits = self.number_options(q, path, qtype)
        optional = q.get("optional", False)
        if not isinstance(optional, bool):
            self.error(f"{path}.optional", "must be true or false")
        help_text = self.text(q["help"], f"{path}.help") if "help" in q else None
        short = self.text(q["short"], f"{path}.short") if "short" in q else None
        known = {e.id: e for e in earlier}
        self.broken_ids = self.asked_ids - set(known)
        when = self.condition(q, "when", path, known, qid)
        end_if, then = None, ()
        retry = self.text(q["retry"], f"{path}.retry") if "retry" in q else None
        list_choices = q.get("list_choices", True)
        if not isinstance(list_choices, bool):
            self.error(f"{path}.list_choices", "must be true or false")
        if ok:
            with_this = {**known, qid: _placeholder(qid, qtype, choices)}
            end_if = self.condition(q, "end_if", path, with_this, qid)
            then = self.follow_ups(q.get("then"), f"{path}.then", with_this, qid)
        if not ok or prompt is None or choices is None:
            return None
        return Question(
            id=qid, type=qtype, prompt=prompt, choices=choices, when=when, end_if=end_if,
            optional=bool(optional), help=help_text, short=short, retry=retry, then=then,
            list_choices=list_choices is not False, audio=self.audio(q.get("audio"), f"{path}.audio"),
            voice_record=self.voice_record(q.get("voice_record"), f"{path}.voice_record", qtype), **limits,
        )

    def follow_ups(self, raw: Any, path: str, known: dict[str, Question], qid: Any) -> tuple[FollowUp, ...]:
        """`then:` a list of {say, when, language}: what is said or done once the question is answered."""
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.error(path, "must be a list of {say: ..., when: ...}")
            return ()
        out = []
        for i, item in enumerate(raw):
            entry = self.mapping(item, f"{path}[{i}]", FOLLOW_UP_KEYS)
            if entry is None:
                continue
            if "say" not in entry and "language" not in entry:
                self.error(f"{path}[{i}]", "must say something (say: ...) or switch the language (language: ...)")
                continue
            say = self.text(entry["say"], f"{path}[{i}].say") if "say" in entry else None
            language = entry.get("language")
            if language is not None and language not in self.languages:
                self.error(f"{path}[{i}].language", f"language '{language}' is not in languages")
                language = None
            when = self.condition(entry, "when", f"{path}[{i}]", known, None)
            out.append(FollowUp(when=when, say=say, language=language))
        return tuple(out)

    def choices(self, q: dict, path: str, qtype: Any) -> tuple[Choice, ...] | None:
        raw = q.get("choices")
        if qtype == "language" and raw is None:
            spoken = (*self.languages, *self.voice_languages)
            return tuple(Choice(code=lang, label={l: lang for l in spoken}) for lang in spoken)
        if qtype not in ("choice", "multi_choice", "language"):
            if raw is not None and qtype in QUESTION_TYPES:
                self.error(f"{path}.choices", f"a {qtype} question takes no choices")
            return ()
        if not isinstance(raw, list) or len(raw) < 2:
            self.error(f"{path}.choices", "must list at least 2 choices")
            return None
        codes: dict[str, int] = {}
        out: list[Choice] = []
        for j, item in enumerate(raw):
            cpath = f"{path}.choices[{j}]"
            c = self.mapping(item, cpath, CHOICE_KEYS, ("code", "label"))
            if c is None:
                continue
            code = c.get("code")
            if isinstance(code, int) and not isinstance(code, bool):
                code = str(code)
            if not (isinstance(code, str) and CHOICE_CODE.match(code)):
                self.error(f"{cpath}.code", f"must be a short code of letters, digits, '_' or '-', not {code!r}")
                continue
            if code in codes:
                self.error(f"{cpath}.code", f"duplicate code '{code}'")
                continue
            codes[code] = j
            if qtype == "language" and code not in (*self.languages, *self.voice_languages):
                self.error(f"{cpath}.code", f"'{code}' is not one of the flow's languages")
            label = self.text(c["label"], f"{cpath}.label") if "label" in c else None
            keywords = self.choice_keywords(c.get("keywords"), f"{cpath}.keywords")
            audio = self.audio(c.get("audio"), f"{cpath}.audio")
            if label is not None:
                out.append(Choice(code=code, label=label, keywords=keywords, audio=audio))
        return tuple(out) if len(out) == len(raw) else None

    def choice_keywords(self, raw: Any, path: str) -> dict[str, tuple[str, ...]]:
        if raw is None:
            return {}
        if isinstance(raw, list):
            return {lang: self.string_list(raw, path) for lang in self.languages[:1]}
        if not isinstance(raw, dict):
            self.error(path, "must map a language to a list of words, e.g. {fr: [nord]}")
            return {}
        out = {}
        for lang, words in raw.items():
            if lang not in self.languages:
                self.error(f"{path}.{lang}", f"language '{lang}' is not in languages")
            out[lang] = self.string_list(words, f"{path}.{lang}")
        return out

    def number_options(self, q: dict, path: str, qtype: Any) -> dict:
        out: dict[str, Any] = {}
        for key in ("min", "max", "unit", "bands", "integer"):
            if key in q and qtype != "number" and qtype in QUESTION_TYPES:
                self.error(f"{path}.{key}", f"only a number question takes '{key}'")
        if qtype != "number":
            return out
        for key in ("min", "max"):
            if key in q:
                out[key] = self.number(q[key], f"{path}.{key}")
        if out.get("min") is not None and out.get("max") is not None and out["min"] > out["max"]:
            self.error(f"{path}.max", f"must be at least min ({out['min']})")
        if "integer" in q:
            if not isinstance(q["integer"], bool):
                self.error(f"{path}.integer", "must be true or false")
            else:
                out["integer"] = q["integer"]
        if "unit" in q:
            if q["unit"] != "minutes":
                self.error(f"{path}.unit", f"unknown unit {q['unit']!r} (only 'minutes')")
            else:
                out["unit"] = "minutes"
        if "bands" in q:
            bands = q["bands"]
            if not isinstance(bands, list) or not bands or not all(is_number(b) for b in bands):
                self.error(f"{path}.bands", "must be a list of increasing numbers, e.g. [18, 30, 45, 60]")
            elif any(b >= c for b, c in zip(bands, bands[1:])):
                self.error(f"{path}.bands", "must be strictly increasing")
            else:
                out["bands"] = tuple(bands)
        return out

    def condition(self, q: dict, key: str, path: str, known: dict[str, Question], qid: Any) -> Expression | None:
        if key not in q:
            return None
        expr = self.expression(q[key], f"{path}.{key}")
        if expr is not None:
            later = self.all_ids - self.asked_ids

            def explain(name: str) -> str | None:
                if name == qid:
                    return f"'{name}' is this question; a condition can only use earlier answers"
                return f"'{name}' refers to a later question" if name in later else None

            self.check_references(expr, f"{path}.{key}", known, explain)
        return expr


def _placeholder(qid: str, qtype: Any, choices: tuple[Choice, ...] | None) -> Question:
    return Question(id=qid, type=str(qtype), prompt={}, choices=choices or ())
