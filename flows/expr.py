"""Parse and evaluate the small condition language of flow files (`when:`, `deprived_if:`)."""

from __future__ import annotations

import numbers
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

MAX_SOURCE_CHARS = 500
MAX_DEPTH = 50

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
_CONSTANTS = {"true": True, "false": False, "null": None}
_COMPARISON_OPS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in"})
# Operators whose literal operand is an answer code that a validator can check.
_CODE_OPS = frozenset({"==", "!=", "in", "not in"})
_COLLECTIONS = (list, tuple, set, frozenset)

# Flow authors write Python, SQL or spreadsheet habits; point them to our spelling.
_CHAR_HINTS = {
    "=": "use '==' to compare",
    "!": "use 'not' to negate or '!=' to compare",
    "&": "use 'and'",
    "|": "use 'or'",
}
_WORD_HINTS = {"None": "null", "True": "true", "False": "false"}

_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<num>-?[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<symbol>==|!=|<=|>=|<|>|[()\[\],])",
    re.ASCII,
)
_NAME = re.compile(r"[a-z_][a-z0-9_]*", re.ASCII)


class ExpressionError(ValueError):
    """An expression that does not parse; .message and .position (0-based char offset) attributes."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class _Token(NamedTuple):
    kind: str  # "num", "str", "name", "end", or the keyword/symbol itself
    value: object
    pos: int
    text: str


@dataclass(frozen=True)
class Literal:
    """A number, string, true, false, null, or a tuple of them for a list after 'in'."""

    value: object

    def evaluate(self, answers: Mapping[str, object]) -> object:
        return self.value


@dataclass(frozen=True)
class Name:
    """A question id, read from the answers."""

    name: str

    def evaluate(self, answers: Mapping[str, object]) -> object:
        return answers.get(self.name)


@dataclass(frozen=True)
class Not:
    """Logical negation of its operand's truthiness."""

    operand: Node

    def evaluate(self, answers: Mapping[str, object]) -> object:
        return not _truthy(self.operand.evaluate(answers))


@dataclass(frozen=True)
class Logic:
    """'and' (every operand truthy) or 'or' (any operand truthy); always a bool."""

    op: str
    operands: tuple[Node, ...]

    def evaluate(self, answers: Mapping[str, object]) -> object:
        combine = all if self.op == "and" else any
        return combine(_truthy(node.evaluate(answers)) for node in self.operands)


@dataclass(frozen=True)
class Compare:
    """One comparison; false whenever an operand is null, unless compared with the null literal."""

    op: str
    left: Node
    right: Node

    def evaluate(self, answers: Mapping[str, object]) -> object:
        left, right = self.left.evaluate(answers), self.right.evaluate(answers)
        if self.op in ("==", "!=") and (_is_null_literal(self.left) or _is_null_literal(self.right)):
            both_null = left is None and right is None
            return both_null if self.op == "==" else not both_null
        if left is None or right is None:
            return False
        return _COMPARATORS[self.op](left, right)


Node = Literal | Name | Not | Logic | Compare


@dataclass(frozen=True)
class Expression:
    """A parsed condition; build one with parse()."""

    source: str
    names: frozenset[str]
    literals: tuple[tuple[str, object], ...]
    tree: Node = field(repr=False, compare=False)
    # (question id, operator, literal) of every comparison between an answer and a literal, for type checks.
    compared: tuple[tuple[str, str, object], ...] = field(default=(), repr=False, compare=False)

    def evaluate(self, answers: Mapping[str, object]) -> object:
        """Return the value of the expression for these answers."""
        return self.tree.evaluate(answers)

    def test(self, answers: Mapping[str, object]) -> bool:
        """Return whether the expression holds for these answers."""
        return _truthy(self.evaluate(answers))


def parse(source: str) -> Expression:
    """Parse source into an Expression or raise ExpressionError."""
    if len(source) > MAX_SOURCE_CHARS:
        raise ExpressionError(
            f"expression is longer than {MAX_SOURCE_CHARS} characters", MAX_SOURCE_CHARS
        )
    tree = _Parser(_tokenize(source)).parse()
    names = frozenset(node.name for node in _walk(tree) if isinstance(node, Name))
    return Expression(source, names, _literal_pairs(tree), tree, _comparisons(tree))


def _truthy(value: object) -> bool:
    """Return the truthiness of a value: null, false, 0, '' and empty collections are falsy."""
    return value is not None and bool(value)


def _kind(value: object) -> object:
    kind = _KIND_OF_TYPE.get(type(value))  # the JSON types, without the slower ABC checks below
    if kind is not None:
        return kind
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, numbers.Real):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, _COLLECTIONS):
        return "collection"
    return type(value)


_KIND_OF_TYPE: dict[type, str] = {bool: "bool", int: "number", float: "number", str: "string", list: "collection",
                                   tuple: "collection", set: "collection", frozenset: "collection"}


def _equal(a: object, b: object) -> bool:
    kind = _kind(a)
    if kind != _kind(b):
        return False
    if kind == "collection":
        return all(_member(x, b) for x in a) and all(_member(x, a) for x in b)
    return a == b


def _member(item: object, container: object) -> bool:
    return isinstance(container, _COLLECTIONS) and any(_equal(item, x) for x in container)


def _not_member(item: object, container: object) -> bool:
    return isinstance(container, _COLLECTIONS) and not _member(item, container)


def _ordered(compare: Callable[[object, object], bool]) -> Callable[[object, object], bool]:
    return lambda a, b: _kind(a) == "number" and _kind(b) == "number" and compare(a, b)


_COMPARATORS: dict[str, Callable[[object, object], bool]] = {
    "==": _equal,
    "!=": lambda a, b: not _equal(a, b),
    "<": _ordered(operator.lt),
    "<=": _ordered(operator.le),
    ">": _ordered(operator.gt),
    ">=": _ordered(operator.ge),
    "in": _member,
    "not in": _not_member,
}


def _is_null_literal(node: Node) -> bool:
    return isinstance(node, Literal) and node.value is None


def _walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, Not):
        yield from _walk(node.operand)
    elif isinstance(node, Logic):
        for child in node.operands:
            yield from _walk(child)
    elif isinstance(node, Compare):
        yield from _walk(node.left)
        yield from _walk(node.right)


def _literal_pairs(tree: Node) -> tuple[tuple[str, object], ...]:
    pairs: list[tuple[str, object]] = []
    for node in _walk(tree):
        if not isinstance(node, Compare) or node.op not in _CODE_OPS:
            continue
        for name, other in ((node.left, node.right), (node.right, node.left)):
            if not isinstance(name, Name):
                continue
            if isinstance(other, Literal) and isinstance(other.value, tuple):
                pairs.extend((name.name, value) for value in other.value)
            elif isinstance(other, Literal) and other.value is not None:
                pairs.append((name.name, other.value))
    return tuple(pairs)


def _comparisons(tree: Node) -> tuple[tuple[str, str, object], ...]:
    found: list[tuple[str, str, object]] = []
    for node in _walk(tree):
        if isinstance(node, Compare):
            for name, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(name, Name) and isinstance(other, Literal) and other.value is not None:
                    found.append((name.name, node.op, other.value))
    return tuple(found)


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        if source[pos] in "'\"":
            value, end = _scan_string(source, pos)
            tokens.append(_Token("str", value, pos, source[pos:end]))
            pos = end
            continue
        match = _TOKEN.match(source, pos)
        if match is None:
            char = source[pos]
            hint = f"; {_CHAR_HINTS[char]}" if char in _CHAR_HINTS else ""
            raise ExpressionError(f"unexpected {char!r} at column {pos + 1}{hint}", pos)
        text = match.group()
        if match.lastgroup == "num":
            tokens.append(_Token("num", float(text) if "." in text else int(text), pos, text))
        elif match.lastgroup == "word":
            tokens.append(_word_token(text, pos))
        elif match.lastgroup == "symbol":
            tokens.append(_Token(text, None, pos, text))
        pos = match.end()
    tokens.append(_Token("end", None, len(source), ""))
    return tokens


def _word_token(text: str, pos: int) -> _Token:
    if text in KEYWORDS:
        return _Token(text, _CONSTANTS.get(text), pos, text)
    if _NAME.fullmatch(text):
        return _Token("name", text, pos, text)
    suggestion = _WORD_HINTS.get(text, text.lower())
    hint = f"did you mean '{suggestion}'?" if suggestion in KEYWORDS else "question ids are lower-case"
    raise ExpressionError(f"invalid name '{text}' at column {pos + 1}; {hint}", pos)


def _scan_string(source: str, start: int) -> tuple[str, int]:
    quote = source[start]
    chars: list[str] = []
    pos = start + 1
    while pos < len(source):
        char = source[pos]
        if char == quote:
            return "".join(chars), pos + 1
        if char == "\\" and pos + 1 < len(source) and source[pos + 1] in (quote, "\\"):
            pos += 1
            char = source[pos]
        chars.append(char)
        pos += 1
    raise ExpressionError(f"unterminated string starting at column {start + 1}", start)


def _describe(token: _Token) -> str:
    if token.kind == "end":
        return "end of expression"
    if token.kind == "str":
        return f"string {token.text}"
    return f"'{token.text}'"


class _Parser:
    """Recursive descent; precedence low to high: or, and, not, comparison, primary."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def parse(self) -> Node:
        if self._peek().kind == "end":
            raise ExpressionError("empty expression", 0)
        tree = self._or()
        token = self._peek()
        if token.kind != "end":
            raise self._unexpected(token, "expected 'and', 'or' or end of expression")
        return tree

    def _peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def _advance(self) -> _Token:
        token = self._peek()
        self.index += 1
        return token

    def _unexpected(self, token: _Token, hint: str = "") -> ExpressionError:
        message = f"unexpected {_describe(token)} at column {token.pos + 1}"
        return ExpressionError(message + (f"; {hint}" if hint else ""), token.pos)

    def _expected(self, token: _Token, what: str, hint: str = "") -> ExpressionError:
        message = f"expected {what} at column {token.pos + 1}, found {_describe(token)}"
        return ExpressionError(message + (f"; {hint}" if hint else ""), token.pos)

    def _expect(self, kind: str, what: str, hint: str) -> _Token:
        token = self._peek()
        if token.kind != kind:
            raise self._expected(token, what, hint)
        return self._advance()

    def _nested(self, token: _Token, parse_inner: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(
                f"expression nests more than {MAX_DEPTH} levels deep at column {token.pos + 1}",
                token.pos,
            )
        node = parse_inner()
        self.depth -= 1
        return node

    def _or(self) -> Node:
        return self._logic("or", self._and)

    def _and(self) -> Node:
        return self._logic("and", self._not)

    def _logic(self, op: str, parse_operand: Callable[[], Node]) -> Node:
        operands = [parse_operand()]
        while self._peek().kind == op:
            self._advance()
            operands.append(parse_operand())
        return operands[0] if len(operands) == 1 else Logic(op, tuple(operands))

    def _not(self) -> Node:
        if self._peek().kind == "not":
            return self._nested(self._advance(), lambda: Not(self._not()))
        return self._comparison()

    def _comparison(self) -> Node:
        left = self._primary()
        if self._peek().kind == "not" and self._peek(1).kind != "in":
            raise self._expected(self._peek(1), "'in' after 'not'")
        op = self._comparison_op()
        if op is None:
            return left
        if op in ("in", "not in") and self._peek().kind == "[":
            right = self._list()
        else:
            right = self._primary()
        token = self._peek()
        if self._at_comparison_op():
            raise self._unexpected(token, "comparisons cannot be chained, join them with 'and'")
        return Compare(op, left, right)

    def _at_comparison_op(self) -> bool:
        kind = self._peek().kind
        return kind in _COMPARISON_OPS or (kind == "not" and self._peek(1).kind == "in")

    def _comparison_op(self) -> str | None:
        if not self._at_comparison_op():
            return None
        token = self._advance()
        if token.kind == "not":
            self._advance()
            return "not in"
        return token.kind

    def _primary(self) -> Node:
        token = self._peek()
        if token.kind in ("num", "str", "true", "false", "null"):
            self._advance()
            return Literal(token.value)
        if token.kind == "name":
            self._advance()
            return Name(token.text)
        if token.kind == "(":
            return self._nested(self._advance(), lambda: self._parenthesised(token))
        if token.kind == "[":
            raise self._unexpected(token, "a list can only follow 'in' or 'not in'")
        raise self._expected(token, "a value")

    def _parenthesised(self, opening: _Token) -> Node:
        inner = self._or()
        self._expect(")", "')'", f"'(' at column {opening.pos + 1} is not closed")
        return inner

    def _list(self) -> Literal:
        opening = self._advance()
        values: list[object] = []
        if self._peek().kind != "]":
            values.append(self._list_item())
            while self._peek().kind == ",":
                self._advance()
                values.append(self._list_item())
        self._expect("]", "',' or ']'", f"'[' at column {opening.pos + 1} is not closed")
        return Literal(tuple(values))

    def _list_item(self) -> object:
        token = self._peek()
        if token.kind == "null":
            message = f"null is not allowed in a list (column {token.pos + 1}); test 'x == null' separately"
            raise ExpressionError(message, token.pos)
        if token.kind not in ("num", "str", "true", "false"):
            raise self._expected(token, "a string, number, true or false in the list")
        return self._advance().value
