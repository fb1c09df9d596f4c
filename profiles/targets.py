"""Census targets: the CSV `variable,value,population`, checked against a flow's grouping variables.

    variable,value,population
    district,nord,24000
    gender,female,52000
    age,60+,11000

`variable` is one of the profile's groups (a question id, `channel` or `language`) or any other
choice question of the flow (`phone`: households without a phone, from a census, DHS or ICT
survey); `value` is a choice code (or its label), `yes`/`no`, a band label of a number question
that is a group ("18-29", "60+"), or a language code.
"""

from __future__ import annotations

import csv
import io
import math
import re

from flows.answers import normalize
from flows.model import Flow
from profiles.errors import ProfileError
from profiles.raking import TARGET_TOTAL_TOLERANCE

HEADER = ("variable", "value", "population")
THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
# Spreadsheets group digits with spaces (also no-break and narrow no-break), apostrophes or underscores.
DIGIT_GROUPING = str.maketrans("", "", " \u00a0\u202f'_")


class TargetsInvalid(ProfileError):
    """A targets file that cannot be used; `problems` lists each, with its line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


# Questions whose answers split respondents into known, exclusive values: what a margin can be.
WEIGHTABLE_TYPES = ("choice", "yes_no", "language")


def known_values(flow: Flow, group: str) -> list[str] | None:
    """Every value a grouping variable can take, or None when open (channel)."""
    question = next((q for q in flow.questions if q.id == group), None)
    if question is None:
        return list(flow.languages) if group == "language" else None
    if question.type == "number":
        return list(question.band_labels())
    if question.type == "yes_no":
        return ["yes", "no"]
    return [choice.code for choice in question.choices]


def target_variable_problem(flow: Flow, variable: str) -> str | None:
    """Why census targets cannot name `variable`, or None when they can."""
    groups = flow.profile.groups if flow.profile else ()
    if variable in groups:
        return None
    question = next((q for q in flow.questions if q.id == variable), None)
    if question is None:
        return f"'{variable}' is not a question or grouping variable of this consultation (groups: {', '.join(groups)})"
    if question.type not in WEIGHTABLE_TYPES:
        return (f"'{variable}' is a {question.type} question: census targets can only name a choice or yes/no question "
                f"(each respondent in exactly one value), or a grouping variable ({', '.join(groups)})")
    return None


def parse_targets(text: str, flow: Flow) -> dict[str, dict[str, float]]:
    """Read a targets CSV; return {variable: {value: population}} or raise TargetsInvalid."""
    if flow.profile is None:
        raise TargetsInvalid([f"flow '{flow.id}' has no profile section, so nothing to weight"])
    problems: list[str] = []
    targets: dict[str, dict[str, float]] = {}
    first_line: dict[tuple[str, str], int] = {}
    reader = _reader(text.lstrip("\ufeff"))
    header = None
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            missing = [name for name in HEADER if name not in header]
            if missing:
                raise TargetsInvalid([f"line {line}: the header must be variable,value,population (missing {', '.join(missing)})"])
            continue
        cells = dict(zip(header, (cell.strip() for cell in row)))
        variable, raw_value, raw_population = (cells.get(name, "") for name in HEADER)
        problem = target_variable_problem(flow, variable)
        if problem:
            problems.append(f"line {line}: {problem}")
            continue
        value = _value(flow, variable, raw_value)
        if value is None:
            allowed = known_values(flow, variable)
            problems.append(f"line {line}: {variable}: unknown value '{raw_value}'" + (f" (one of {', '.join(allowed)})" if allowed else ""))
            continue
        population = _number(raw_population)
        if population is None:
            problems.append(f"line {line}: {variable}={value}: population must be a positive number, got '{raw_population}'")
            continue
        if (variable, value) in first_line:
            problems.append(f"line {line}: {variable}={value} is given twice (first on line {first_line[(variable, value)]})")
            continue
        first_line[(variable, value)] = line
        targets.setdefault(variable, {})[value] = population
    if header is None:
        problems.append("no targets: expected a header variable,value,population and one line per value")
    elif not targets and not problems:
        problems.append("no targets: the file has a header but no lines")
    problems.extend(_total_problems(targets))
    if problems:
        raise TargetsInvalid(problems)
    return targets


def _reader(text: str):
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)  # French spreadsheets save with ';'
    return csv.reader(io.StringIO(text), delimiter=delimiter)


def _value(flow: Flow, variable: str, raw: str) -> str | None:
    allowed = known_values(flow, variable)
    if allowed is None:
        return raw or None
    compact = raw.replace(" ", "")
    for value in allowed:
        if compact.lower() == value.lower():
            return value
    question = next((q for q in flow.questions if q.id == variable), None)
    if question is not None and question.choices:
        wanted = normalize(raw)
        for choice in question.choices:
            if wanted and wanted in {normalize(label) for label in choice.label.values()}:
                return choice.code
    return None


def _number(raw: str) -> float | None:
    text = raw.translate(DIGIT_GROUPING)
    text = text.replace(",", "") if THOUSANDS.match(text) else text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) and number > 0 else None


def _total_problems(targets: dict[str, dict[str, float]]) -> list[str]:
    totals = {variable: sum(values.values()) for variable, values in targets.items()}
    if not totals:
        return []
    first, reference = next(iter(totals.items()))
    return [
        f"{variable}: targets total {total:,.0f} but {first} totals {reference:,.0f}; "
        f"they differ by more than {TARGET_TOTAL_TOLERANCE:.0%} (the same population must be described)"
        for variable, total in totals.items()
        if abs(total - reference) > TARGET_TOTAL_TOLERANCE * reference
    ]
