"""RapidPro/TextIt flow exports in: a flow graph becomes Palabre's list of questions with routes.

A RapidPro flow is a graph: nodes send messages, wait for a reply, and route it by category to the
next node. Palabre keeps a readable list of questions, so the graph is laid out in order:

- each node that waits for a reply is a question (its `result_name` is the id); its categories are the
  choices (the case arguments their keywords), or bounds and conditions on a number, or free text;
- the messages sent on the way into it are its prompt (the last one) and what the previous question
  says on that route (`then`, with the route's condition as `when`);
- an `Other` category looping back is the question's `retry` words; `No Response` is Palabre's own
  expiry; a route nobody takes to a question makes it conditional (`when`), and a route that leads
  nowhere ends the conversation there.

Contact names, phone numbers, webhooks, groups and subflows have no place in Palabre (it keeps no names
and calls nobody else): each is an error naming the flow, node and action, or a warning when asked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.loader import check_flow_data
from flows.model import RESERVED_IDS
from palabre.flow_import import Imported, ImportRefused

SPEC_VERSIONS = ("13.", "14.")
LANGUAGES = {"eng": "en", "fra": "fr", "spa": "es", "por": "pt", "swa": "sw", "ara": "ar", "wol": "wo", "hau": "ha",
             "bam": "bm", "fon": "fon", "kin": "rw", "lin": "ln", "yor": "yo", "ibo": "ig", "amh": "am", "som": "so"}
TEXT_TESTS = {"has_any_word", "has_all_words", "has_phrase", "has_only_phrase", "has_beginning", "has_only_text"}
NUMBER_TESTS = {"has_number", "has_number_eq", "has_number_lt", "has_number_lte", "has_number_gt", "has_number_gte",
                "has_number_between"}
ANSWERED = {"has_text"}
INPUT = {"@input", "@input.text"}
END = {"fr": "Merci !", "en": "Thank you!", "es": "¡Gracias!", "pt": "Obrigado!"}
# @results.x, @results.x.value, .category, .category_localized, @(title(results.x...)), @input
RESULT = re.compile(r"@\(\s*(?P<fn>title|upper|lower)\s*\(\s*(?P<inner>[^()]*)\)\s*\)|@\((?P<expr>[^)]*\)?)\)|"
                    r"@(?P<path>[a-z_][a-z0-9_.]*[a-z0-9_])", re.IGNORECASE)


@dataclass
class _Route:
    """How the conversation reached a node: the condition (a set of alternatives, each a set of atoms)."""

    alternatives: set[frozenset[str]] = field(default_factory=set)

    def add(self, alternative: frozenset[str]) -> None:
        if any(existing <= alternative for existing in self.alternatives):
            return
        self.alternatives = {a for a in self.alternatives if not alternative <= a} | {alternative}

    def expression(self) -> str | None:
        if not self.alternatives or frozenset() in self.alternatives:
            return None
        parts = [" and ".join(sorted(a)) for a in sorted(self.alternatives, key=sorted)]
        return parts[0] if len(parts) == 1 else " or ".join(f"({p})" if " and " in p else p for p in parts)


def import_rapidpro(path: str | Path, flow_name: str | None = None, skip_unsupported: bool = False) -> Imported:
    """Read a RapidPro export and return the flow it becomes; ImportRefused names what cannot come along."""
    try:
        export = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRefused([f"{Path(path).name}: not a RapidPro export ({exc})"]) from exc
    flows = export.get("flows") if isinstance(export, dict) else None
    if not isinstance(flows, list) or not flows:
        raise ImportRefused([f"{Path(path).name}: no flows in it (a RapidPro export has a 'flows' list)"])
    version = str(export.get("version", "13"))
    if not version.startswith("13"):
        raise ImportRefused([f"export version {version}: only version 13 exports are read (export again from RapidPro)"])
    names = [f.get("name", "?") for f in flows]
    if flow_name is None and len(flows) > 1:
        raise ImportRefused([f"the export holds {len(flows)} flows ({', '.join(names)}): choose one with --flow NAME"])
    chosen = flows[0] if flow_name is None else next((f for f in flows if f.get("name") == flow_name), None)
    if chosen is None:
        raise ImportRefused([f"no flow named {flow_name!r} (there are: {', '.join(names)})"])
    return _Converter(chosen, skip_unsupported).convert()


class _Converter:
    def __init__(self, flow: dict, skip: bool):
        self.flow, self.skip = flow, skip
        self.name = flow.get("name", "?")
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.nodes = {n["uuid"]: n for n in flow.get("nodes", [])}
        self.order = [n["uuid"] for n in flow.get("nodes", [])]
        self.ids: dict[str, str] = {}  # wait node -> question id
        self.prompts: dict[str, str] = {}  # question id -> the send_msg action that asks it

    # --- reporting -------------------------------------------------------------------------------
    def where(self, node: dict, action: dict | None = None) -> str:
        at = f"flow '{self.name}', node {self.order.index(node['uuid']) + 1}"
        return at + (f", action '{action.get('type')}'" if action else "")

    def unsupported(self, where: str, what: str) -> None:
        if self.skip:
            self.warnings.append(f"{where}: {what}; left out")
        else:
            self.problems.append(f"{where}: {what} (use --skip-unsupported to leave it out)")

    # --- languages and texts ---------------------------------------------------------------------
    def language(self, code: str | None, where: str) -> str | None:
        if code in (None, "und", "base"):
            return None
        found = LANGUAGES.get(code)
        if found is None:
            self.problems.append(f"{where}: language '{code}' has no two-letter code Palabre knows")
        return found

    def languages(self) -> tuple[str, ...]:
        base = self.language(self.flow.get("language"), f"flow '{self.name}'")
        if base is None:
            base = "en"
            self.warnings.append(f"flow '{self.name}': its language is undetermined ('und'); taken as English (en)")
        others = [self.language(code, f"flow '{self.name}' localization") for code in self.flow.get("localization", {})]
        return tuple(dict.fromkeys([base, *[o for o in others if o]]))

    def localized(self, item_uuid: str, key: str, base: Any) -> dict[str, Any]:
        """{language: value} for an item (action, case, category) from the flow and its localization."""
        out = {self.langs[0]: base}
        for code, items in (self.flow.get("localization") or {}).items():
            lang = LANGUAGES.get(code)
            value = (items.get(item_uuid) or {}).get(key)
            if lang and lang in self.langs and value:
                out[lang] = value[0] if key in ("text", "name") else value
        return out

    def text(self, texts: dict[str, str], where: str, prompt_of: str | None) -> dict[str, str]:
        """Texts with RapidPro's expressions as Palabre placeholders; unsupported ones named."""
        base = texts[self.langs[0]]
        return {lang: self.placeholders(texts.get(lang) or base, where, prompt_of) for lang in self.langs}

    def placeholders(self, text: str, where: str, prompt_of: str | None) -> str:
        text = text.replace("@@", "\x00")

        def replace(match: re.Match) -> str:
            if match["fn"]:
                inner = self.reference(match["inner"].strip(), prompt_of)
                return "{" + inner + "|" + match["fn"].lower() + "}" if inner else self.drop(match[0], where)
            if match["expr"] is not None:
                inner = self.reference(match["expr"].strip(), prompt_of)
                return "{" + inner + "}" if inner else self.drop(match[0], where)
            inner = self.reference(match["path"], prompt_of)
            return "{" + inner + "}" if inner else self.drop(match[0], where)

        return RESULT.sub(replace, text).replace("\x00", "@").strip()

    def reference(self, path: str, prompt_of: str | None) -> str | None:
        path = path.removeprefix("@")
        if path in ("input", "input.text"):
            return "input" if prompt_of is None else prompt_of  # in a prompt, the answer just given
        parts = path.split(".")
        if parts[0] != "results" or len(parts) < 2:
            return None
        qid = _identifier(parts[1])
        if qid not in self.ids.values():
            return None  # a result no question of this flow gives (a webhook's, another flow's)
        tail = parts[2] if len(parts) > 2 else "value"
        if tail in ("value", "category_localized"):
            return qid
        if tail == "category":
            return f"{qid}.category"
        return None

    def drop(self, expression: str, where: str) -> str:
        why = "a contact's name or number: Palabre keeps neither" if "contact" in expression or "urn" in expression \
            else "an expression Palabre cannot fill in"
        self.unsupported(where, f"{expression} is {why}")
        return ""

    # --- the graph -------------------------------------------------------------------------------
    def convert(self) -> Imported:
        spec = str(self.flow.get("spec_version", ""))
        if not spec.startswith(SPEC_VERSIONS):
            raise ImportRefused([f"flow '{self.name}': spec_version {spec or '?'} is not 13.x or 14.x"])
        self.langs = self.languages()
        if not self.order:
            raise ImportRefused([f"flow '{self.name}': it has no nodes"])
        waits = self.layout()
        questions = [self.question(uuid, position) for position, uuid in enumerate(waits)]
        data: dict[str, Any] = {"id": _slug(self.name), "title": {lang: self.name for lang in self.langs},
                                "languages": list(self.langs)}
        self.routes(waits, questions, data)
        data["questions"] = [q for q in questions if q is not None]
        data.setdefault("end", {lang: END.get(lang, END["en"]) for lang in self.langs})
        reachable = self.reachable()
        for uuid in self.order:
            if uuid not in reachable:
                self.warnings.append(f"{self.where(self.nodes[uuid])}: no route leads to it; left out")
        if self.problems:
            raise ImportRefused(self.problems)
        if not data["questions"]:
            raise ImportRefused([f"flow '{self.name}': it never waits for a reply, so there is nothing to ask"])
        flow, problems = check_flow_data(data)
        if flow is None:
            raise ImportRefused([f"the flow made from it is invalid: {p}" for p in problems if p.level == "error"])
        return Imported(data, self.warnings)

    def exits(self, node: dict) -> list[tuple[dict | None, str | None]]:
        """(category, destination) for each way out of a node (category None for action-only nodes)."""
        router = node.get("router")
        by_exit = {e["uuid"]: e.get("destination_uuid") for e in node.get("exits", [])}
        if not router:
            return [(None, by_exit.get(e["uuid"])) for e in node.get("exits", [])]
        return [(c, by_exit.get(c.get("exit_uuid"))) for c in router.get("categories", [])]

    def default_category(self, node: dict) -> str | None:
        router = node.get("router") or {}
        stated = router.get("default_category_uuid")
        if stated:
            return stated
        return next((c["uuid"] for c in router.get("categories", []) if c["name"] == "Other"), None)

    def timeout_category(self, node: dict) -> str | None:
        return (((node.get("router") or {}).get("wait") or {}).get("timeout") or {}).get("category_uuid")

    def waits(self, node: dict) -> bool:
        router = node.get("router") or {}
        return "wait" in router and router.get("type") == "switch"

    def reachable(self) -> set[str]:
        seen, stack = set(), [self.order[0]]
        while stack:
            uuid = stack.pop()
            if uuid in seen or uuid not in self.nodes:
                continue
            seen.add(uuid)
            stack += [d for _, d in self.exits(self.nodes[uuid]) if d]
        return seen

    def layout(self) -> list[str]:
        """The waiting nodes in the order a conversation meets them (depth first, loops aside)."""
        order: list[str] = []
        seen: set[str] = set()

        def visit(uuid: str) -> None:
            if uuid in seen or uuid not in self.nodes:
                return
            seen.add(uuid)
            node = self.nodes[uuid]
            if self.waits(node):
                order.append(uuid)
                self.ids[uuid] = self.question_id(node, len(order))
            for _category, destination in self.exits(node):
                if destination:
                    visit(destination)

        visit(self.order[0])
        return order

    def question_id(self, node: dict, position: int) -> str:
        name = (node.get("router") or {}).get("result_name") or f"question_{position}"
        qid = _identifier(name)
        if qid in RESERVED_IDS or qid in self.ids.values():
            qid = f"{qid}_{position}"
        return qid

    # --- one waiting node as a question ----------------------------------------------------------
    def question(self, uuid: str, position: int) -> dict | None:
        node = self.nodes[uuid]
        router = node["router"]
        qid = self.ids[uuid]
        if router.get("operand") not in INPUT:
            self.unsupported(self.where(node), f"it routes on {router.get('operand')!r}, not on the reply")
            return None
        cases = router.get("cases") or []
        tests = {c.get("type") for c in cases}
        question: dict[str, Any] = {"id": qid}
        if not cases or tests <= ANSWERED:
            question["type"] = "text"
        elif tests <= NUMBER_TESTS:
            question["type"] = "number"
            question.update(self.bounds(cases))
        elif tests <= TEXT_TESTS:
            question["type"] = "choice"
            question["choices"] = self.choices(node)
            question["list_choices"] = False  # RapidPro prompts name their own options
        else:
            for case in cases:
                if case.get("type") not in TEXT_TESTS | NUMBER_TESTS | ANSWERED:
                    self.unsupported(self.where(node), f"the test {case.get('type')!r} has no equivalent")
            return None
        timeout = (router.get("wait") or {}).get("timeout")
        if timeout:
            self.warnings.append(f"{self.where(node)}: the {timeout.get('seconds')} s 'No Response' timeout becomes "
                                 "Palabre's own expiry (CONVERSATION_IDLE_HOURS)")
        return question

    def bounds(self, cases: list[dict]) -> dict:
        """min and max when one range is the only answer (RapidPro's 'Other' then catches the rest)."""
        if len(cases) != 1:
            return {}
        case, args = cases[0], [float(_number(a)) for a in cases[0].get("arguments") or []]
        found = {"has_number_between": lambda: {"min": args[0], "max": args[1]} if len(args) == 2 else {},
                 "has_number_gte": lambda: {"min": args[0]}, "has_number_lte": lambda: {"max": args[0]}}
        bounds = found.get(case.get("type"), dict)()
        return {key: int(v) if float(v).is_integer() else v for key, v in bounds.items()}

    def choices(self, node: dict) -> list[dict]:
        router = node["router"]
        words: dict[str, dict[str, list[str]]] = {}
        for case in router.get("cases", []):
            arguments = self.localized(case["uuid"], "arguments", case.get("arguments") or [])
            for lang, legacy in self.localized(case["uuid"], "test", []).items():  # spec 13.0 names them 'test'
                if legacy and lang != self.langs[0]:
                    arguments[lang] = legacy
            for lang, args in arguments.items():
                bucket = words.setdefault(case["category_uuid"], {}).setdefault(lang, [])
                for argument in args:
                    split = argument.split() if case["type"] == "has_any_word" else [argument]
                    bucket += [w for w in split if w and w not in bucket]
                if case["type"] == "has_all_words" and len(args[0].split()) > 1:
                    self.warnings.append(f"{self.where(node)}: '{args[0]}' (all of these words) is read as a phrase")
        out, codes = [], set()
        for category in router.get("categories", []):
            if category["uuid"] not in words:
                continue  # Other, No Response: not an answer
            code = _code(category["name"], codes)
            codes.add(code)
            label = self.localized(category["uuid"], "name", category["name"])
            out.append({"code": code, "label": {lang: label.get(lang) or category["name"] for lang in self.langs},
                        "keywords": {lang: ws for lang, ws in words[category["uuid"]].items() if ws}})
        return out

    def atom(self, node: dict, question: dict | None, category: dict) -> str | None:
        """The condition that a reply to this node took this category (None: any reply)."""
        if question is None or question["type"] == "text":
            return None
        if question["type"] == "choice":
            code = next((c["code"] for c in question["choices"] if c["label"][self.langs[0]] == category["name"]), None)
            return f"{question['id']} == '{code}'" if code else None
        qid = question["id"]
        parts = []
        for case in node["router"].get("cases", []):
            if case["category_uuid"] != category["uuid"]:
                continue
            args = [_number(a) for a in case.get("arguments") or []]
            kind = case["type"]
            if kind == "has_number":
                parts.append(f"{qid} != null")
            elif kind == "has_number_between" and len(args) == 2:
                parts.append(f"({qid} >= {args[0]} and {qid} <= {args[1]})")
            elif args:
                op = {"has_number_eq": "==", "has_number_lt": "<", "has_number_lte": "<=", "has_number_gt": ">",
                      "has_number_gte": ">="}[kind]
                parts.append(f"{qid} {op} {args[0]}")
        return " or ".join(parts) if len(parts) > 1 else (parts[0] if parts else None)

    # --- routes: prompts, retries, then-messages, conditions ---------------------------------------
    def routes(self, waits: list[str], questions: list[dict | None], data: dict) -> None:
        by_node = dict(zip(waits, questions))
        conditions: dict[str, _Route] = {uuid: _Route() for uuid in waits}
        start_messages, start_language = self.walk(self.order[0], set())
        first = waits[0] if waits else None
        self.place(start_messages, first, by_node, data, previous=None, atom=None)
        if start_language:
            self.warnings.append(f"flow '{self.name}': a language set before the first question is left to the channel")
        if first:
            conditions[first].add(frozenset())
        for uuid in waits:
            node, question = self.nodes[uuid], by_node[uuid]
            route = conditions[uuid]
            default_uuid, timeout_uuid = self.default_category(node), self.timeout_category(node)
            answers = [c for c, _ in self.exits(node) if c["uuid"] not in (default_uuid, timeout_uuid)
                       and c["name"] != "No Response"]
            groups: dict[str | None, list[dict]] = {}
            tested = {c.get("category_uuid") for c in node["router"].get("cases") or []}
            for category, destination in self.exits(node):
                if node["router"].get("cases") and category["uuid"] not in tested | {default_uuid, timeout_uuid}:
                    self.warnings.append(f"{self.where(node)}: no test leads to the category '{category['name']}'; "
                                         "its route is left out")
                    continue
                groups.setdefault(destination, []).append(category)
            for destination, categories in groups.items():
                names = {c["name"] for c in categories}
                if all(c["name"] == "No Response" or c["uuid"] == timeout_uuid for c in categories):
                    if destination:
                        self.warnings.append(f"{self.where(node)}: the route taken when nobody answers is left out")
                    continue
                default = default_uuid in {c["uuid"] for c in categories}
                if default and self.loops_back(destination, uuid):
                    retry, _ = self.walk(destination, set(), into_wait=False)
                    if question is not None and retry:
                        question["retry"] = self.text(retry[-1][1], f"flow '{self.name}', action {retry[-1][0][:8]}", None)
                    continue
                messages, language = self.walk(destination, set()) if destination else ([], None)
                covers_all = {c["uuid"] for c in answers} <= {c["uuid"] for c in categories}
                atoms = None if covers_all else [self.atom(node, question, c) for c in categories if not (
                    c["name"] == "No Response" or c["uuid"] == timeout_uuid
                    or (c["uuid"] == default_uuid and question and question["type"] == "choice"))]
                atom = None if atoms is None else " or ".join(a for a in atoms if a) or None
                if atom and " or " in atom and not atom.startswith("("):
                    atom = f"({atom})"
                target = self.next_wait(destination)
                self.place(messages, target, by_node, data, previous=question, atom=atom, language=language)
                if target in conditions:
                    for alternative in route.alternatives or {frozenset()}:
                        conditions[target].add(alternative | ({atom} if atom else set()))
        for uuid in waits:
            question = by_node[uuid]
            if question is not None:
                when = conditions[uuid].expression()
                if when:
                    question["when"] = when
                if not question.get("then"):
                    question.pop("then", None)

    def walk(self, uuid: str | None, seen: set[str], into_wait: bool = True) -> tuple[list[tuple[str, dict]], str | None]:
        """The messages (action uuid, texts) and language switch met from a node up to the next waiting node."""
        messages, language = [], None
        while uuid and uuid in self.nodes and uuid not in seen:
            seen.add(uuid)
            node = self.nodes[uuid]
            if self.waits(node) and not into_wait:
                break
            for action in node.get("actions", []):
                kind = action.get("type")
                if kind == "send_msg":
                    texts = self.localized(action["uuid"], "text", action.get("text", ""))
                    if action.get("quick_replies"):
                        self.warnings.append(f"{self.where(node, action)}: quick replies are shown as the question's choices")
                    messages.append((action["uuid"], texts, node))
                elif kind == "set_contact_language":
                    language = self.language(action.get("language"), self.where(node, action))
                else:
                    self.unsupported(self.where(node, action), f"'{kind}' has no equivalent in Palabre")
            if self.waits(node):
                break
            router = node.get("router")
            if router:  # a router that does not wait: it routes on something else than a reply
                self.unsupported(self.where(node), f"a '{router.get('type')}' router on {router.get('operand')!r}")
                break
            destinations = [d for _, d in self.exits(node) if d]
            uuid = destinations[0] if destinations else None
        return [(a, t) for a, t, _ in messages], language

    def next_wait(self, uuid: str | None) -> str | None:
        seen: set[str] = set()
        while uuid and uuid in self.nodes and uuid not in seen:
            seen.add(uuid)
            node = self.nodes[uuid]
            if self.waits(node):
                return uuid
            destinations = [d for _, d in self.exits(node) if d]
            uuid = destinations[0] if destinations and not node.get("router") else None
        return None

    def loops_back(self, destination: str | None, wait: str) -> bool:
        return destination is not None and self.next_wait(destination) == wait

    def place(self, messages: list, target: str | None, by_node: dict, data: dict, previous: dict | None,
              atom: str | None, language: str | None = None) -> None:
        """Share a route's messages: the last before a question is its prompt, the others are said on the way."""
        question = by_node.get(target) if target else None
        said = list(messages)
        if question is not None and said:
            action, _texts = said[-1]
            if question["id"] not in self.prompts:
                said.pop()
                self.prompts[question["id"]] = action
                question["prompt"] = self.text(_texts, f"flow '{self.name}', action {action[:8]}", self._prompt_of(previous))
            elif self.prompts[question["id"]] == action:
                said.pop()  # another route into the same prompt node: the prompt is asked, not said twice
        elif question is not None and question["id"] not in self.prompts:
            self.problems.append(f"flow '{self.name}': the question '{question['id']}' is asked without a message")
            self.prompts[question["id"]] = ""
        texts = [self.text(t, f"flow '{self.name}', action {a[:8]}", None) for a, t in said]
        if previous is None:
            if texts:
                data["intro"] = {lang: "\n".join(t[lang] for t in texts) for lang in self.langs}
            return
        follow = previous.setdefault("then", [])
        if language:
            follow.append({"language": language, **({"when": atom} if atom else {})})
        if target is None and texts and atom is None:
            data["end"] = {lang: "\n".join(t[lang] for t in texts) for lang in self.langs}
            return
        for text in texts:
            follow.append({"say": text, **({"when": atom} if atom else {})})
        if not follow:
            del previous["then"]

    def _prompt_of(self, previous: dict | None) -> str | None:
        return previous["id"] if previous is not None else None


def _identifier(name: str) -> str:
    qid = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    return qid if qid and not qid[0].isdigit() else f"q_{qid}"


def _code(name: str, taken: set[str]) -> str:
    code = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_") or "choice"
    while code in taken:
        code += "_"
    return code


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-") or "imported"


def _number(text: str) -> str:
    try:
        value = float(str(text).strip())
    except ValueError:
        return "0"
    return str(int(value)) if value.is_integer() else str(value)
