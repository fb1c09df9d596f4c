"""Plain-language findings: the groups most at risk, and mostly why, in each language of the flow."""

from __future__ import annotations

from flows.model import Flow
from profiles.labels import dimension_label

# How many groups the findings name.
FINDINGS_COUNT = 3

TEMPLATES = {
    "en": ("{label}: {H}% at risk (±{pm}), mostly {why}", " and "),
    "fr": ("{label} : {H} % à risque (±{pm}), surtout {why}", " et "),
    "es": ("{label}: {H} % en riesgo (±{pm}), sobre todo {why}", " y "),
    "pt": ("{label}: {H}% em risco (±{pm}), sobretudo {why}", " e "),
}


def top_groups(entries: list[dict], count: int = FINDINGS_COUNT) -> list[dict]:
    """The published, reliable group entries with the highest M0 (ties: higher H, then label)."""
    shown = [e for e in entries if not e["suppressed"] and e["reliable"] and e["M0"] > 0]
    shown.sort(key=lambda e: (-e["M0"], -e["H"], str(e["value"])))
    return shown[:count]


def finding_sentence(flow: Flow, entry: dict, lang: str) -> str:
    """'Nord, A woman: 58% at risk (±9), mostly distance and cost'."""
    template, conjunction = TEMPLATES.get(lang, TEMPLATES["en"])
    dimensions = {d.id: d for d in flow.profile.dimensions}  # type: ignore[union-attr]
    contributions = sorted(entry["contributions_by_dimension"].items(), key=lambda item: (-item[1], item[0]))
    main = [dimensions[d] for d, share in contributions[:2] if share > 0]
    why = conjunction.join(_lower_first(dimension_label(d, lang)) for d in main)
    low, high = entry["H_ci"]
    return template.format(label=entry["label"][lang], H=round(entry["H"] * 100), pm=round((high - low) * 50), why=why)


def findings(flow: Flow, entries: list[dict]) -> dict[str, list[str]]:
    """Findings for every language of the flow."""
    top = top_groups(entries)
    return {lang: [finding_sentence(flow, entry, lang) for entry in top] for lang in flow.languages}


def _lower_first(label: str) -> str:
    # "Digital access" -> "digital access", but keep "SMS" and other acronyms.
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label
