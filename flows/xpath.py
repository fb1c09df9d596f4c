"""The expression language as XPath, for XLSForm's `relevant` and `constraint` columns (ODK Collect, KoboCollect).

Palabre's rule that a comparison with a missing answer is false is kept: XForms store an unanswered
question as '' and compare '' with a number as NaN (false), so only the inequalities need a guard.
"""

from __future__ import annotations

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
