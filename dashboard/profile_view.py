"""Turn a stored profile snapshot into what the pages show: labelled, ranked, grouped by dimension."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flows.model import Flow
from flows.page_labels import question_label
from profiles.labels import CHANNEL_NAMES, LANGUAGE_NAMES, dimension_label, group_label, indicator_label, titled
from profiles.suppression import COMPLEMENTARY, SMALL


@dataclass(frozen=True)
class Figure:
    label: str  # the group as a sentence names it: "Nord, Un homme"
    variable: str
    value: str
    suppressed: bool
    suppression: str | None = None  # why a hidden figure is hidden: SMALL, COMPLEMENTARY, or None when unknown
    variable_label: str = ""  # what the variable is called: "Quartier × Genre"
    n: int | None = None
    n_eff: float | None = None
    H: float | None = None
    H_ci: tuple[float, float] | None = None
    A: float | None = None
    M0: float | None = None
    reliable: bool = False
    by_dimension: dict[str, float] = field(default_factory=dict)  # share of M0 from each dimension
    title: str = ""  # the row label of a table or chart: "Quartier : Nord"
    # H if the people the consultation could not reach were as deprived as the least and the most deprived group.
    sensitivity: tuple[float, float] | None = None


def value_label(flow: Flow, variable: str, value: Any, language: str) -> str:
    """A group value as officials read it: the choice label in their language, else the raw value."""
    parts = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    variables = variable.split("|")
    labels = []
    for var, part in zip(variables, parts) if len(variables) == len(parts) else [(variable, str(value))]:
        label = part
        question = next((q for q in flow.questions if q.id == var), None)
        if question is not None and question.choice(part) is not None:
            label = question.choice(part).label.get(language) or part  # type: ignore[union-attr]
        elif var == "channel":
            label = CHANNEL_NAMES.get(part, part)
        elif var == "language":
            label = LANGUAGE_NAMES.get(part, part)
        labels.append(label)
    return ", ".join(labels)


def dimension_shares(flow: Flow, contributions: dict[str, float]) -> dict[str, float]:
    """Each dimension's share of M0: the sum of its indicators' contributions."""
    if flow.profile is None:
        return {}
    return {d.id: sum(contributions.get(i.id, 0.0) for i in d.indicators) for d in flow.profile.dimensions}


def figure(flow: Flow, variable: str, entry: dict[str, Any], language: str) -> Figure:
    """One population entry of a snapshot as a Figure."""
    value = entry.get("value", "")
    given = entry.get("label")
    if isinstance(given, dict) and given.get(language):
        label = given[language]
    else:
        label = value_label(flow, variable, value, language) if variable else ""
    if isinstance(value, list):
        value = "|".join(str(v) for v in value)
    named = group_label(flow, variable, language) if variable else ""
    # A cross reads well by its values alone ("Ouest, Une femme"); one variable needs its name ("Quartier : Ouest").
    title = label if "|" in variable else titled(named, label, language)
    if entry.get("suppressed"):
        kind = entry.get("suppression")
        return Figure(label=label, variable=variable, value=str(value), suppressed=True, variable_label=named, title=title,
                      suppression=kind if kind in (SMALL, COMPLEMENTARY) else None)
    ci = entry.get("H_ci") or (None, None)
    sensitivity = entry.get("sensitivity") or {}
    return Figure(
        label=label, variable=variable, value=str(value), suppressed=False, variable_label=named, title=title, n=entry.get("n"),
        n_eff=entry.get("n_eff"), H=entry.get("H"), H_ci=(ci[0], ci[1]) if ci[0] is not None else None, A=entry.get("A"),
        M0=entry.get("M0"), reliable=bool(entry.get("reliable")),
        by_dimension=entry.get("contributions_by_dimension") or dimension_shares(flow, entry.get("contributions") or {}),
        sensitivity=(sensitivity["low"], sensitivity["high"]) if "low" in sensitivity else None,
    )


def ranked_groups(flow: Flow, data: dict[str, Any], language: str) -> list[Figure]:
    """Every group of every variable, highest share at risk (H) first; hidden ones last.

    H is the figure the tables print and the chart plots, so the ranking reads in decreasing order.
    """
    rows = [figure(flow, variable, entry, language)
            for variable, entries in (data.get("groups") or {}).items() for entry in entries]
    shown = sorted((r for r in rows if not r.suppressed), key=lambda r: (-(r.H or 0), -(r.M0 or 0), r.variable, r.label))
    hidden = [r for r in rows if r.suppressed]
    return shown + hidden


def dimension_labels(flow: Flow, language: str) -> dict[str, str]:
    """Dimension id -> its label in a language."""
    if flow.profile is None:
        return {}
    return {d.id: dimension_label(d, language) for d in flow.profile.dimensions}


def indicator_rows(flow: Flow, overall: dict[str, Any], language: str) -> list[tuple[str, str, float, float]]:
    """(dimension, indicator label, uncensored share deprived, censored headcount) for each indicator; none when hidden."""
    if flow.profile is None or overall.get("suppressed") or not overall.get("deprived_share"):
        return []  # a hidden profile has no figures: never print its missing shares as 0%
    shares = overall["deprived_share"]
    censored = overall.get("censored_headcounts") or {}
    return [(d.id, indicator_label(i, language), shares[i.id], censored.get(i.id, 0.0))
            for d in flow.profile.dimensions for i in d.indicators if i.id in shares]


def question_labels(flow: Flow, language: str) -> dict[str, str]:
    """Question id -> its short name in a language (for charts by question)."""
    return {q.id: question_label(q, language) for q in flow.questions}


def target_label(flow: Flow, variable: str, value: Any, language: str) -> str:
    """An action's target group as words: "Quartier : Nord" rather than district=nord."""
    return titled(group_label(flow, variable, language), value_label(flow, variable, value, language), language)


def min_cell_of(data: dict[str, Any], flow: Flow, default: int) -> int:
    """The minimum cell the snapshot was computed with (stored in its overall entry), else the flow's or the setting."""
    stored = (data.get("overall") or {}).get("min_cell") or data.get("min_cell")
    return stored or (flow.profile.min_cell if flow.profile else None) or default
