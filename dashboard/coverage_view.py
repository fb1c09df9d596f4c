"""What a page says about who the consultation could not reach: warnings, the sensitivity range, shares by channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.model import Flow


@dataclass(frozen=True)
class ChannelShare:
    name: str
    offline: bool  # collected by hand: on paper or by an enumerator
    share: float | None  # share without a phone of their own; None when hidden
    suppression: str | None


@dataclass(frozen=True)
class CoverageView:
    question: str  # the question's name on pages: "Téléphone"
    sample_share: float | None  # among respondents; None when hidden
    weighted_share: float | None
    population_share: float | None  # from a census target
    channels: list[ChannelShare]
    sensitivity: str | None  # the one sentence explaining the range beside H


def in_language(texts: Any, flow: Flow, language: str) -> str:
    """A {language: text} mapping in the page's language, else the flow's first, else any."""
    if not isinstance(texts, dict) or not texts:
        return str(texts or "")
    return texts.get(language) or texts.get(flow.default_language) or next(iter(texts.values()))


@dataclass(frozen=True)
class Warning:
    title: str  # one line, above the headline
    text: str  # why, and what to do


def warnings_of(flow: Flow, data: dict[str, Any], language: str) -> list[Warning]:
    """Every warning of the snapshot's representativeness, in the page's language."""
    warnings = ((data or {}).get("representativeness") or {}).get("warnings") or []
    return [Warning(in_language(w.get("title") or w.get("text"), flow, language), in_language(w.get("text"), flow, language))
            for w in warnings]


def coverage_of(flow: Flow, data: dict[str, Any], language: str) -> CoverageView | None:
    """The snapshot's coverage section for a page, or None when the flow declares none."""
    section = ((data or {}).get("representativeness") or {}).get("coverage")
    if not section:
        return None
    sensitivity = section.get("sensitivity") or {}
    return CoverageView(
        question=in_language(section.get("label"), flow, language) or section.get("question", ""),
        sample_share=section.get("sample_share"), weighted_share=section.get("weighted_share"),
        population_share=section.get("population_share"),
        channels=[ChannelShare(in_language(row.get("label"), flow, language) or str(row.get("channel")), bool(row.get("offline")),
                               row.get("share"), row.get("suppression")) for row in section.get("by_channel") or []],
        sensitivity=in_language(sensitivity.get("text"), flow, language) if sensitivity.get("text") else None,
    )
