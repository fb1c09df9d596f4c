"""The expression language as XPath, for XLSForm's `relevant` and `constraint` columns (ODK Collect, KoboCollect).

Palabre's rule that a comparison with a missing answer is false is kept: XForms store an unanswered
question as '' and compare '' with a number as NaN (false), so only the inequalities need a guard.
"""

from __future__ import annotations

import re

from flows.expr import Compare, Expression, Literal, Logic, Name, Node, Not
from flows.model import Flow


class NotExpressible(ValueError):
    """A condition XPath cannot say the way Palabre means it (names the expression)."""


def to_xpath(expression: Expression, flow: Flow) -> str:
    """The XPath of a `when`/`end_if`/`deprived_if` condition over the flow's questions."""
    return _Translator(flow, expression.source).node(expression.tree)


class _Translator:
    def __init__(self, flow: Flow, source: str):
        self.types = {q.id: q.type for q in flow.questions}
        self.source = source

    def fail(self, why: str) -> NotExpressible:
        return NotExpressible(f"{self.source!r}: {why}")

    def node(self, node: Node) -> str:
        if isinstance(node, Logic):
            return "(" + f" {node.op} ".join(self.node(child) for child in node.operands) + ")"
        if isinstance(node, Not):
            return f"not({self.node(node.operand)})"
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, Name):  # truthiness: answered (and, for several choices, at least one)
            if self.types.get(self.name(node)) == "multi_choice":
                return f"count-selected({self.ref(node)}) > 0"
            return f"{self.ref(node)} != ''"
        return self.literal(node)

    def name(self, node: Name) -> str:
        if node.name not in self.types:
            raise self.fail(f"'{node.name}' is not a question of the form")
        return node.name

    def ref(self, node: Name) -> str:
        return "${" + self.name(node) + "}"

    def literal(self, node: Node) -> str:
        if not isinstance(node, Literal) or isinstance(node.value, tuple):
            raise self.fail("only a question, a number, a text or true/false may stand here")
        value = node.value
        if value is None:
            return "''"
        if value is True or value is False:
            return "true()" if value else "false()"
        if isinstance(value, (int, float)):
            return repr(value)
        text = str(value)
        if "'" in text:
            raise self.fail("a text containing an apostrophe cannot be written in XPath")
        return f"'{text}'"

    def compare(self, node: Compare) -> str:
        left, right, op = node.left, node.right, node.op
        if op in ("in", "not in"):
            return self.membership(left, right, negated=op == "not in")
        if isinstance(right, Name) and not isinstance(left, Name):
            left, right, op = right, left, {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        xpath_op = {"==": "=", "!=": "!="}.get(op, op)
        if isinstance(left, Name) and self.types.get(self.name(left)) == "multi_choice" and op in ("==", "!="):
            raise self.fail("compare several choices with 'in' ('code' in question)")
        expression = f"{self.node(left) if not isinstance(left, Name) else self.ref(left)} {xpath_op} " \
                     f"{self.literal(right) if not isinstance(right, Name) else self.ref(right)}"
        null = isinstance(right, Literal) and right.value is None
        if op == "!=" and isinstance(left, Name) and not null:  # missing != 'x' is false in Palabre
            return f"({self.ref(left)} != '' and {expression})"
        return expression

    def membership(self, item: Node, container: Node, negated: bool) -> str:
        if isinstance(container, Name) and self.types.get(self.name(container)) == "multi_choice":
            test = f"selected({self.ref(container)}, {self.literal(item)})"
            return f"({self.ref(container)} != '' and not({test}))" if negated else test
        if isinstance(item, Name) and isinstance(container, Literal) and isinstance(container.value, tuple):
            options = " or ".join(f"{self.ref(item)} = {self.literal(Literal(v))}" for v in container.value) or "false()"
            return f"({self.ref(item)} != '' and not({options}))" if negated else f"({options})"
        raise self.fail("'in' takes a question and a [list], or a code and a question with several choices")


# --- XPath in: XLSForm's `relevant` and `constraint`, read back into the expression language -----------------

_XPATH_TOKEN = re.compile(r"""\s*(?:
    (?P<ref>\$\{(?P<ref_name>[A-Za-z_][\w.-]*)\}|(?:\.\./|/[\w-]+/)(?P<path_name>[A-Za-z_][\w-]*))
  | (?P<number>-?\d+(?:\.\d+)?)
  | '(?P<single>[^']*)' | "(?P<double>[^"]*)"
  | (?P<op>!=|<=|>=|=|<|>|\(|\)|,)
  | (?P<word>[A-Za-z][\w-]*(?:\(\))?)
  | (?P<dot>\.)
)""", re.VERBOSE)


def from_xpath(xpath: str, types: dict[str, str] | None = None) -> str:
    """The expression-language text of an XLSForm condition, or NotExpressible naming what it cannot say.

    `types` (question id -> Palabre type) tells `selected()` on a single choice, an equality, from one on several.
    """
    tokens = _xpath_tokens(xpath)
    parser = _XPathReader(tokens, xpath, types or {})
    text = parser.disjunction()
    if parser.position != len(tokens):
        raise NotExpressible(f"{xpath!r}: unexpected {tokens[parser.position][1]!r}")
    return text


def xpath_conjuncts(xpath: str) -> list[str]:
    """The parts of a condition joined by a top-level 'and', as XPath text."""
    parts, depth, start, quote = [], 0, 0, ""
    for index, char in enumerate(xpath):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and xpath[index:index + 5] == " and " and index >= start:
            parts.append(xpath[start:index].strip())
            start = index + 5
    parts.append(xpath[start:].strip())
    return [part for part in parts if part]


def _xpath_tokens(xpath: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(xpath.rstrip()):
        match = _XPATH_TOKEN.match(xpath, position)
        if match is None or match.end() == position:
            raise NotExpressible(f"{xpath!r}: cannot read {xpath[position:].strip()[:20]!r}")
        position = match.end()
        if match["ref"]:
            tokens.append(("name", match["ref_name"] or match["path_name"]))
        elif match["number"] is not None:
            tokens.append(("number", match["number"]))
        elif match["single"] is not None or match["double"] is not None:
            tokens.append(("string", match["single"] if match["single"] is not None else match["double"]))
        elif match["op"]:
            tokens.append(("op", match["op"]))
        elif match["dot"]:
            tokens.append(("dot", "."))
        else:
            tokens.append(("word", match["word"]))
    return tokens


class _XPathReader:
    """A small recursive-descent reader of the XPath XLSForms use for skip logic."""

    def __init__(self, tokens: list[tuple[str, str]], source: str, types: dict[str, str]):
        self.tokens, self.source, self.position, self.types = tokens, source, 0, types

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            raise NotExpressible(f"{self.source!r}: expected {value or kind}")
        self.position += 1
        return token[1]

    def disjunction(self) -> str:
        parts = [self.conjunction()]
        while self.peek() == ("word", "or"):
            self.position += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"

    def conjunction(self) -> str:
        parts = [self.comparison()]
        while self.peek() == ("word", "and"):
            self.position += 1
            parts.append(self.comparison())
        return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"

    def comparison(self) -> str:
        left = self.operand()
        token = self.peek()
        if token is None or token[0] != "op" or token[1] not in ("=", "!=", "<", "<=", ">", ">="):
            if left.startswith("count-selected:"):
                raise NotExpressible(f"{self.source!r}: only 'count-selected(...) > 0' has an equivalent")
            return left
        self.position += 1
        right = self.operand()
        if left.startswith("count-selected:"):
            if (token[1], right) in ((">", "0"), (">=", "1"), ("!=", "0")):
                return left.split(":", 1)[1]  # at least one chosen: the question's own truthiness
            raise NotExpressible(f"{self.source!r}: only 'count-selected(...) > 0' has an equivalent")
        if right == "null" or left == "null":  # '' is XForms' missing answer
            return f"{left if right == 'null' else right} {'==' if token[1] == '=' else '!='} null"
        return f"{left} {'==' if token[1] == '=' else token[1]} {right}"

    def operand(self) -> str:
        kind, value = self.peek() or ("end", "")
        if kind == "name":
            self.position += 1
            return value
        if kind == "dot":
            self.position += 1
            return "."
        if kind == "number":
            self.position += 1
            return value
        if kind == "string":
            self.position += 1
            if "'" in value:
                raise NotExpressible(f"{self.source!r}: a text with an apostrophe")
            return f"'{value}'" if value else "null"
        if (kind, value) == ("op", "("):
            self.position += 1
            inner = self.disjunction()
            self.take("op", ")")
            return f"({inner})" if not inner.startswith("(") else inner
        if kind == "word" and value in ("true()", "false()"):
            self.position += 1
            return value[:-2]
        if kind == "word" and value in ("not", "selected", "count-selected"):
            self.position += 1
            self.take("op", "(")
            if value == "not":
                inner = self.disjunction()
                self.take("op", ")")
                return f"not ({inner})"
            question = self.take("name")
            if value == "count-selected":
                self.take("op", ")")
                return f"count-selected:{question}"
            self.take("op", ",")
            code = self.take("string")
            self.take("op", ")")
            if self.types.get(question) == "multi_choice":
                return f"'{code}' in {question}"
            return f"{question} == '{code}'"  # selected() on a single choice is an equality
        raise NotExpressible(f"{self.source!r}: {value or 'the end'!r} has no equivalent in Palabre's conditions")
