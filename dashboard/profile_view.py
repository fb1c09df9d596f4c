"""Turn a stored profile snapshot into what the pages show: labelled, ranked, grouped by dimension."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flows.model import Flow


@dataclass(frozen=True)
class Figure:
    label: str
    variable: str
    value: str
    suppressed: bool
    n: int | None = None
    n_eff: float | None = None
    H: float | None = None
    H_ci: tuple[float, float] | None = None
    A: float | None = None
    M0: float | None = None
    reliable: bool = False
    by_dimension: dict[str, float] = field(default_factory=dict)  # share of M0 from each dimension


def value_label(flow: Flow, variable: str, value: Any, language: str) -> str:
    """A group value as officials read it: the choice label in their language, else the raw value."""
    parts = str(value).split("|") if "|" in str(value) else [str(value)]
    variables = variable.replace("×", "|").split("|")
    labels = []
    for var, part in zip(variables, parts) if len(variables) == len(parts) else [(variable, str(value))]:
        label = part
        if var in {q.id for q in flow.questions}:
            choice = flow.question(var).choice(part)
            if choice is not None:
                label = choice.label.get(language) or part
        labels.append(label)
    return " · ".join(labels)


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
    if entry.get("suppressed"):
        return Figure(label=label, variable=variable, value=str(value), suppressed=True)
    ci = entry.get("H_ci") or (None, None)
    return Figure(
        label=label, variable=variable, value=str(value), suppressed=False, n=entry.get("n"), n_eff=entry.get("n_eff"),
        H=entry.get("H"), H_ci=(ci[0], ci[1]) if ci[0] is not None else None, A=entry.get("A"), M0=entry.get("M0"),
        reliable=bool(entry.get("reliable")),
        by_dimension=entry.get("contributions_by_dimension") or dimension_shares(flow, entry.get("contributions") or {}),
    )


def ranked_groups(flow: Flow, data: dict[str, Any], language: str) -> list[Figure]:
    """Every group of every variable, most at risk (highest M0) first; suppressed cells last."""
    rows = [figure(flow, variable, entry, language)
            for variable, entries in (data.get("groups") or {}).items() for entry in entries]
    shown = sorted((r for r in rows if not r.suppressed), key=lambda r: (-(r.M0 or 0), r.variable, r.label))
    hidden = [r for r in rows if r.suppressed]
    return shown + hidden


def dimension_labels(flow: Flow, language: str) -> dict[str, str]:
    """Dimension id -> its label in a language."""
    if flow.profile is None:
        return {}
    return {d.id: (d.label or {}).get(language) or d.id for d in flow.profile.dimensions}


def indicator_rows(flow: Flow, overall: dict[str, Any]) -> list[tuple[str, str, float, float]]:
    """(dimension, indicator, uncensored share deprived, censored headcount) for each indicator."""
    if flow.profile is None:
        return []
    shares = overall.get("deprived_share") or {}
    censored = overall.get("censored_headcounts") or {}
    return [(d.id, i.id, shares.get(i.id, 0.0), censored.get(i.id, 0.0)) for d in flow.profile.dimensions for i in d.indicators]


def min_cell_of(data: dict[str, Any], flow: Flow, default: int) -> int:
    """The minimum cell the snapshot was computed with (stored in its overall entry), else the flow's or the setting."""
    stored = (data.get("overall") or {}).get("min_cell") or data.get("min_cell")
    return stored or (flow.profile.min_cell if flow.profile else None) or default
