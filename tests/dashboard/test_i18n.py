"""Every string of the pages exists in French as well as English."""

from __future__ import annotations

import sys

from palabre.config import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import i18n  # noqa: E402


def test_every_page_string_has_a_french_translation():
    known = i18n.existing()
    missing = [msgid for msgid in i18n.extracted() if not known.get(msgid)]
    assert missing == [], "run `python scripts/i18n.py --write` and translate these"


def test_placeholders_survive_translation():
    for msgid, msgstr in i18n.existing().items():
        for placeholder in ("%(n)d", "%(count)d", "%(slug)s", "%(title)s", "%(when)s", "%(code)s", "%(keyword)s", "%(number)s", "%(status)s"):
            assert (placeholder in msgid) == (placeholder in msgstr), (msgid, msgstr)


def _translated(node, functions: dict, scope) -> bool:
    """Whether a message expression is built only from gettext calls (directly, via a variable or a local function)."""
    import ast

    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "gettext", "ngettext", "lazy_gettext"):
        return True
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in functions:
        returns = [r.value for r in ast.walk(functions[node.func.id]) if isinstance(r, ast.Return) and r.value is not None]
        return bool(returns) and all(_translated(r, functions, functions[node.func.id]) for r in returns)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join":
        # " ".join(messages.values()): the separator is blank and the parts were assigned from gettext calls.
        return all(_translated(a, functions, scope) for a in node.args)
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)) or (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        name = node
        while not isinstance(name, ast.Name):
            name = getattr(name, "value", None) or getattr(name, "func", None)
            if name is None:
                return False
        assigned = [n.value for n in ast.walk(scope) if isinstance(n, ast.Assign)
                    and any(isinstance(t, ast.Subscript) and getattr(t.value, "id", None) == name.id or getattr(t, "id", None) == name.id
                            for t in n.targets)]
        return bool(assigned) and all(_translated(v, functions, scope) or isinstance(v, ast.Dict) and not v.keys for v in assigned)
    return False


def test_every_flash_and_error_message_of_the_pages_goes_through_gettext():
    import ast

    untranslated = []
    for path in sorted((ROOT / "dashboard").glob("*.py")):
        tree = ast.parse(path.read_text())
        functions = {f.name: f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)}
        for function in functions.values():
            for node in ast.walk(function):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("flash", "abort")):
                    continue
                messages = [a for a in node.args if not (isinstance(a, ast.Constant) and isinstance(a.value, int))]
                if messages and not _translated(messages[0], functions, function):
                    untranslated.append(f"{path.name}:{node.lineno}")
    assert sorted(set(untranslated)) == [], "wrap these messages in _() and translate them"


BAD_TARGETS = [
    "",
    "variable,value\n",
    "variable,value,population\n",
    "variable,value,population\nville,nord,100\n",
    "variable,value,population\ntravel_minutes,60,100\n",
    "variable,value,population\ndistrict,lune,100\n",
    "variable,value,population\ndistrict,nord,beaucoup\n",
    "variable,value,population\ndistrict,nord,100\ndistrict,nord,100\n",
    "variable,value,population\ndistrict,nord,100\ngender,female,900\n",
]


def test_every_census_target_problem_reads_in_french(app):
    from flows.loader import load_flow
    from dashboard.problems import translated_problem
    from profiles.targets import TargetsInvalid, parse_targets

    flow = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")
    problems = []
    for text in BAD_TARGETS:
        try:
            parse_targets(text, flow)
        except TargetsInvalid as exc:
            problems.extend(exc.problems)
    assert len(problems) >= len(BAD_TARGETS)
    with app.test_request_context("/?lang=fr"):
        french = [translated_problem(problem, flow) for problem in problems]
    # A problem the pages do not know comes out unchanged, that is in English: none may.
    assert [p for p, f in zip(problems, french) if p == f] == []
    assert any("Quartier" in f for f in french)  # variables by their label, not their code
