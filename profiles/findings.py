"""Plain-language findings: the groups most at risk, and mostly why, in each language of the flow."""

from __future__ import annotations

from flows.model import Flow
from profiles.labels import dimension_label, group_label

# How many groups the findings name.
FINDINGS_COUNT = 3

# The interval reads as in every table, "(79–96)": a Wilson interval is not symmetric, so never a ±.
TEMPLATES = {
    "en": ("{label}: {H}% at risk ({low}–{high}), mostly {why}", " and "),
    "fr": ("{label} : {H} % à risque ({low}–{high}), surtout {why}", " et "),
    "es": ("{label}: {H} % en riesgo ({low}–{high}), sobre todo {why}", " y "),
    "pt": ("{label}: {H}% em risco ({low}–{high}), sobretudo {why}", " e "),
}


def top_groups(entries: list[dict], count: int = FINDINGS_COUNT) -> list[dict]:
    """The published, reliable group entries with the highest share at risk H (ties: higher M0, then label)."""
    # H, the figure each sentence states, so the sentences read in decreasing order, like the pages' ranking.
    shown = [e for e in entries if not e["suppressed"] and e["reliable"] and e["M0"] > 0]
    shown.sort(key=lambda e: (-e["H"], -e["M0"], str(e["value"])))
    return shown[:count]


def main_dimensions(contributions: dict[str, float], count: int = 2) -> list[str]:
    """The dimensions contributing most to a group's M0 (ties: by id), as findings and pages name them."""
    ranked = sorted(contributions.items(), key=lambda item: (-item[1], item[0]))
    return [d for d, share in ranked[:count] if share > 0]


def finding_sentence(flow: Flow, entry: dict, lang: str) -> str:
    """'North (district): 58% at risk (49–67), mostly distance and cost'; a cross by its values: 'North, A woman: ...'."""
    template, conjunction = TEMPLATES.get(lang, TEMPLATES["en"])
    dimensions = {d.id: d for d in flow.profile.dimensions}  # type: ignore[union-attr]
    main = [dimensions[d] for d in main_dimensions(entry["contributions_by_dimension"])]
    why = conjunction.join(_lower_first(dimension_label(d, lang)) for d in main)
    low, high = entry["H_ci"]
    return template.format(label=_named(flow, entry, lang), H=_percent(entry["H"]), low=_percent(low), high=_percent(high), why=why)


def findings(flow: Flow, entries: list[dict], variables: list[str] | None = None) -> dict[str, list[str]]:
    """Findings for every language of the flow; `variables[i]` names the grouping variable of `entries[i]`."""
    named = [{**entry, "variable": variable} for entry, variable in zip(entries, variables)] if variables else entries
    top = top_groups(named)
    return {lang: [finding_sentence(flow, entry, lang) for entry in top] for lang in flow.languages}


def _named(flow: Flow, entry: dict, lang: str) -> str:
    # "No: 57%" would not say of what: a single group says its variable, "No (disability)", unless its label
    # already does ("Age 60+").
    label, variable = entry["label"][lang], entry.get("variable")
    if not variable or "|" in variable:
        return label
    name = group_label(flow, variable, lang).rstrip(" ?:")  # a prompt stands in for a missing short label
    return label if label.startswith(name) else f"{label} ({_lower_first(name)})"


def _percent(share: float) -> str:
    # As the pages print it ('%.0f'), so a finding and the table beside it give the same numbers.
    return f"{share * 100:.0f}"


def _lower_first(label: str) -> str:
    # "Digital access" -> "digital access", but keep "SMS" and other acronyms.
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label
