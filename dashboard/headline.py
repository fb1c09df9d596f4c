"""The answer a page opens with: the share at risk, how many answered, whether weighted, and the groups most at risk and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from dashboard.charts import groups_at_risk
from dashboard.profile_view import Figure, dimension_labels
from flows.model import Flow
from profiles.findings import main_dimensions
from profiles.labels import group_label

# How many groups the answer names: enough to see a pattern, few enough to read on a phone.
TOP_GROUPS = 5


@dataclass(frozen=True)
class Weighting:
    applied: bool
    variables: list[str]  # what the figures were raked to, as the page names them: ["Quartier", "Genre"]
    error: str | None = None


def weighting_of(flow: Flow, data: dict[str, Any], language: str) -> Weighting:
    """Whether the snapshot's figures are weighted to the census, and on which variables."""
    summary = ((data.get("representativeness") or {}).get("weighting") or {}) if data else {}
    variables = [group_label(flow, v, language) for v in summary.get("variables") or []]
    return Weighting(bool(summary.get("applied")), variables, summary.get("error"))


def weighting_sentence(weighting: Weighting) -> str:
    """One sentence saying whether and how the figures are weighted."""
    if weighting.applied:
        names = weighting.variables or [_("the groups of the census targets")]
        return _("Weighted to the census: the answers are raked so that %(variables)s match the population's totals.",
                 variables=_(" and ").join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0])
    return _("Not weighted: the figures describe the people who answered, who may differ from the whole population.")


def top_at_risk(groups: list[Figure], reliable_only: bool = False, count: int = TOP_GROUPS) -> list[Figure]:
    """The published groups with the highest share at risk, in the ranking's order (single variables and crosses)."""
    shown = [g for g in groups if not g.suppressed and g.H is not None and g.H_ci and (g.reliable or not reliable_only)]
    return shown[:count]


def why_words(flow: Flow, figure: Figure, language: str) -> str:
    """"Mostly: distance, cost": the dimensions contributing most to a group's risk."""
    dims = dimension_labels(flow, language)
    named = [dims.get(d, d) for d in main_dimensions(figure.by_dimension)]
    return _("Mostly: %(dimensions)s", dimensions=", ".join(named)) if named else ""


def share_text(figure: Figure) -> str:
    """"68% (55–79)", with a star when unreliable, as the tables print it."""
    low, high = figure.H_ci or (figure.H, figure.H)
    return f"{figure.H * 100:.0f}% ({low * 100:.0f}–{high * 100:.0f})" + ("" if figure.reliable else " *")  # type: ignore[operator]


def at_risk_chart(flow: Flow, groups: list[Figure], language: str) -> str | None:
    """The chart of the groups most at risk and why, or None when no group is published."""
    if not groups:
        return None
    dims = dimension_labels(flow, language)
    rows = [{"label": _("%(group)s · n = %(n)d", group=g.title, n=g.n or 0), "H": g.H or 0.0, "low": g.H_ci[0], "high": g.H_ci[1],  # type: ignore[index]
             "reliable": g.reliable, "value": share_text(g), "why": why_words(flow, g, language),
             "shares": {dims[k]: v for k, v in g.by_dimension.items() if k in dims}} for g in groups]
    return groups_at_risk(rows, list(dims.values()), _("The groups most at risk of exclusion, and why"),
                          _("Lower bar: where each group's risk comes from"))
