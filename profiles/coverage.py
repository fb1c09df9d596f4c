"""Who a phone consultation could not reach: their share by channel, a warning, and how wrong H could be.

A flow's profile may declare `coverage: {question: phone, unreached: [none]}`: the question whose
answers say who has no phone of their own. Those people answer a phone consultation far less often,
and they are also the most deprived, so raking on district or gender cannot correct for them. This
module reports, in `representativeness.coverage`:

- the share of respondents without a phone of their own, overall and by channel (the phone channels
  against paper and enumerators), and its population share when a census target gives it;
- the sensitivity of H: the people the consultation under-reached are the population share (the
  target's, else the flow's `assumed_share`, else DEFAULT_ASSUMED_SHARE) minus the weighted share
  among respondents. If that missing mass g were as deprived as the most deprived group observed,
  and as the least, H would lie between (1 - g) x the interval's low end + g x the least deprived
  group's H and (1 - g) x its high end + g x the most deprived group's H, and never inside the
  interval. With a target on the question the weights already close the gap: g is 0 and the range
  is the interval. Each group gets its own g (people without a phone answer at the same relative
  rate everywhere) and counts its own respondents without a phone among the groups observed, when
  each group of its partition has at least min_cell with and without one; else the overall g.

And in `representativeness.warnings`, `unreached` when nothing corrects for it: no target on the
question and no response collected on paper or by an enumerator.

Every figure respects the minimum cell: a share by channel is shown only when both those without
and those with a phone number at least min_cell there, and g never reveals a hidden share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from flows.model import Coverage, Flow
from flows.page_labels import question_label
from profiles.labels import value_label
from profiles.measures import rounded

# The share of adults assumed to have no phone of their own when neither a census target nor the
# flow (`assumed_share`) says: a cautious round figure. Set the flow's own from local data (census,
# DHS, a national ICT survey): the range is only as good as this number.
DEFAULT_ASSUMED_SHARE = 0.25
OFFLINE_CHANNELS = ("paper", "assisted")  # collected by hand: on paper, or by an enumerator on a tablet
UNREACHED = "unreached"  # the warning's code

# The warning in one line, for the top of a page; WARNING_TEXT says why and what to do.
WARNING_TITLE = {
    "fr": "Les personnes sans téléphone sont probablement sous-représentées : ces chiffres sous-estiment sans doute l'exclusion.",
    "en": "People without a phone are probably under-represented: these figures probably understate exclusion.",
    "es": "Las personas sin teléfono probablemente están subrepresentadas: estas cifras probablemente subestiman la exclusión.",
    "pt": "As pessoas sem telefone provavelmente estão sub-representadas: estes números provavelmente subestimam a exclusão.",
}
WARNING_TEXT = {
    "fr": ("Les personnes sans téléphone à elles ont sans doute peu répondu, et rien ne corrige ce biais : "
           "ces chiffres sous-estiment probablement l'exclusion. Pour le corriger, chargez une cible de recensement "
           "pour « {question} » (part des ménages sans téléphone), ou faites passer des enquêteurs ou des questionnaires papier."),
    "en": ("People without a phone of their own probably answered little, and nothing corrects for it: "
           "these figures probably understate exclusion. To correct it, upload a census target for \u201c{question}\u201d "
           "(households without a phone), or send enumerators or paper questionnaires."),
    "es": ("Las personas sin teléfono propio probablemente respondieron poco y nada lo corrige: estas cifras "
           "probablemente subestiman la exclusión. Para corregirlo, cargue una meta censal para \u00ab{question}\u00bb "
           "(hogares sin teléfono) o envíe encuestadores o cuestionarios en papel."),
    "pt": ("As pessoas sem telefone próprio provavelmente responderam pouco e nada corrige isso: estes números "
           "provavelmente subestimam a exclusão. Para corrigir, carregue uma meta do censo para \u201c{question}\u201d "
           "(domicílios sem telefone) ou envie recenseadores ou questionários em papel."),
}
SENSITIVITY_TEXT = {
    "fr": ("Si les personnes sans téléphone que la consultation n'a pas atteintes ({missing} de la population, {source}) "
           "étaient aussi exposées que le groupe le plus exposé ({most}), ou que le moins exposé ({least}), "
           "H serait entre {low} et {high}."),
    "en": ("If the people without a phone whom the consultation did not reach ({missing} of the population, {source}) "
           "were as deprived as the most deprived group ({most}), or as the least ({least}), H would lie between {low} and {high}."),
}
SOURCE_TEXT = {
    "target": {"fr": "d'après la cible de recensement", "en": "from the census target"},
    "assumption": {"fr": "en supposant que {share} n'en ont pas", "en": "assuming {share} have none"},
}
NO_GAP_TEXT = {
    "fr": "Les réponses sans téléphone sont pondérées à leur part dans la population : l'intervalle de H suffit.",
    "en": "Respondents without a phone are weighted to their share of the population: H's interval says it all.",
}


@dataclass(frozen=True)
class Extremes:
    """The least and the most deprived published groups: what the under-reached could resemble."""

    least: dict  # {"variable", "value", "label", "H"}
    most: dict


class CoverageReport:
    """The coverage figures of one profile, from its cells and weights."""

    def __init__(self, flow: Flow, coverage: Coverage, column: Callable[[str], list | None], counts: np.ndarray,
                 weights: np.ndarray, min_cell: int, targets: Mapping[str, Mapping[str, float]], weighted: bool,
                 hidden_all: bool):
        self.flow, self.coverage, self.min_cell, self.hidden_all = flow, coverage, min_cell, hidden_all
        values = column(coverage.question) or [None] * len(counts)
        self.unreached = np.array([v in coverage.unreached for v in values], dtype=bool)
        self.answered = np.array([v is not None for v in values], dtype=bool)
        self.counts, self.weights = counts, weights
        self.channels = column("channel")
        target = targets.get(coverage.question)
        self.targeted = bool(target) and weighted
        self.population_share = (sum(p for v, p in target.items() if v in coverage.unreached) / sum(target.values())
                                 if target else None)
        unreached_n = int(counts[self.unreached].sum())
        # A handful without a phone would be a small cell: their share is then hidden (and g does not reveal it).
        self.share_hidden = hidden_all or 0 < unreached_n < min_cell or 0 < int(counts[self.answered & ~self.unreached].sum()) < min_cell

    # -- shares -------------------------------------------------------------------------------

    def share(self, mask: np.ndarray, weighted: bool = True) -> float | None:
        """Share without a phone of their own among those in `mask` who answered the question."""
        w = (self.weights if weighted else 1.0) * self.counts
        answered = float((w * (mask & self.answered)).sum())
        return float((w * (mask & self.unreached)).sum()) / answered if answered else None

    def offline_responses(self) -> int:
        if self.channels is None:
            return 0
        return int(sum(c for v, c in zip(self.channels, self.counts) if v in OFFLINE_CHANNELS))

    def by_channel(self) -> list[dict]:
        if self.channels is None or self.hidden_all:
            return []
        channels = np.array(self.channels, dtype=object)
        rows = []
        for channel in sorted({c for c in self.channels if c is not None}, key=lambda c: (c in OFFLINE_CHANNELS, str(c))):
            mask = channels == channel
            without = int(self.counts[mask & self.unreached].sum())
            with_phone = int(self.counts[mask & self.answered & ~self.unreached].sum())
            small = without < self.min_cell or with_phone < self.min_cell
            rows.append({"channel": channel, "label": value_label(self.flow, "channel", channel),
                         "offline": channel in OFFLINE_CHANNELS, "respondents": without + with_phone,
                         "_small": small, "_without": without})
        hidden = [r for r in rows if r["_small"]]
        if len(hidden) == 1 and not self.share_hidden:
            # The overall share and the other channels would give the hidden one: hide the next smallest too.
            visible = sorted((r for r in rows if not r["_small"]), key=lambda r: (r["_without"], str(r["channel"])))
            if visible:
                visible[0]["_complementary"] = True
        out = []
        for row in rows:
            small, complementary, without = row.pop("_small"), row.pop("_complementary", False), row.pop("_without")
            total = row["respondents"]
            if small or complementary:
                out.append({**row, "respondents": None if total < self.min_cell else total, "share": None,
                            "suppressed": True, "suppression": "small" if small else "complementary"})
            else:
                out.append({**row, "share": rounded(without / total), "suppressed": False})
        return out

    # -- the gap and the range ----------------------------------------------------------------

    def assumed(self) -> tuple[float, str]:
        """The population share unreached, and where it comes from: 'target' or 'assumption'."""
        if self.population_share is not None:
            return self.population_share, "target"
        return (self.coverage.assumed_share or DEFAULT_ASSUMED_SHARE), "assumption"

    def observed_share(self) -> float:
        """The weighted share without a phone among respondents; 0 when hidden, so that g cannot reveal it."""
        return 0.0 if self.share_hidden else (self.share(np.ones(len(self.counts), dtype=bool)) or 0.0)

    def missing_share(self) -> float:
        """g: the share of the population the respondents leave out, beyond what the weights restore."""
        if self.targeted:
            return 0.0
        population, _ = self.assumed()
        return _gap(population, self.observed_share())

    def group_missing_shares(self, masks: list[np.ndarray]) -> list[float] | None:
        """g of each group of a partition, or None when one of them would reveal a small count.

        People without a phone answer at the same relative rate in every group (the overall rate:
        their odds among respondents over their odds in the population), so a group where many
        respondents have no phone hides even more who were not reached. Each g reveals its group's
        share without a phone: only when every group has at least min_cell with and without one."""
        population, _ = self.assumed()
        observed = self.observed_share()
        if self.targeted:  # the weights close the gap: the overall g (0) holds in every group
            return None
        if self.share_hidden or observed >= population or observed <= 0:
            return None
        for mask in masks:
            without = int(self.counts[mask & self.unreached].sum())
            with_phone = int(self.counts[mask & self.answered & ~self.unreached].sum())
            if without < self.min_cell or with_phone < self.min_cell:
                return None
        rate = _odds(observed) / _odds(population)  # how much less often they answer
        out = []
        for mask in masks:
            share = self.share(mask) or 0.0
            odds = _odds(share) / rate
            out.append(_gap(odds / (1 + odds), share))
        return out

    @staticmethod
    def sensitivity(ci: list[float], g: float, extremes: Extremes) -> dict:
        low = (1 - g) * ci[0] + g * extremes.least["H"]
        high = (1 - g) * ci[1] + g * extremes.most["H"]
        return {"low": rounded(min(low, ci[0])), "high": rounded(max(high, ci[1]))}

    def section(self, extremes: Extremes | None, overall_range: dict | None) -> dict:
        population, source = self.assumed()
        everyone = np.ones(len(self.counts), dtype=bool)
        shown = not self.share_hidden
        sample_share = self.share(everyone, weighted=False) if shown else None
        weighted_share = self.share(everyone) if shown else None
        g = self.missing_share()
        section = {
            "question": self.coverage.question,
            "unreached": list(self.coverage.unreached),
            "label": {lang: question_label(self.flow.question(self.coverage.question), lang) for lang in self.flow.languages},
            "sample_share": None if sample_share is None else rounded(sample_share),
            "weighted_share": None if weighted_share is None else rounded(weighted_share),
            "population_share": None if self.population_share is None else rounded(self.population_share),
            "suppressed": not shown,
            "by_channel": self.by_channel(),
            "offline_responses": self.offline_responses() >= 1,
            "sensitivity": None,
        }
        if extremes is not None and overall_range is not None:
            section["sensitivity"] = {
                "population_share": rounded(population), "source": source, "missing_share": rounded(g),
                "least_deprived": extremes.least, "most_deprived": extremes.most, **overall_range,
                "text": self._sensitivity_text(g, population, source, extremes, overall_range),
            }
        return section

    def warnings(self) -> list[dict]:
        """`unreached` when neither a target on the question nor paper or enumerators make up for the phone."""
        if self.targeted or self.offline_responses() > 0:
            return []
        question = self.flow.question(self.coverage.question)
        text = {lang: WARNING_TEXT.get(lang, WARNING_TEXT["en"]).format(question=question_label(question, lang))
                for lang in self.flow.languages}
        title = {lang: WARNING_TITLE.get(lang, WARNING_TITLE["en"]) for lang in self.flow.languages}
        return [{"code": UNREACHED, "variable": self.coverage.question, "text": text, "title": title}]

    def _sensitivity_text(self, g: float, population: float, source: str, extremes: Extremes, overall: dict) -> dict:
        out = {}
        for lang in self.flow.languages:
            words = lang if lang in SENSITIVITY_TEXT else "en"
            if g == 0:
                out[lang] = NO_GAP_TEXT[words]
                continue
            source_text = SOURCE_TEXT[source][words].format(share=_percent(population, words))
            out[lang] = SENSITIVITY_TEXT[words].format(
                missing=_percent(g, words), source=source_text,
                most=f"{extremes.most['label'].get(lang, extremes.most['value'])}, H {_percent(extremes.most['H'], words)}",
                least=f"{extremes.least['label'].get(lang, extremes.least['value'])}, H {_percent(extremes.least['H'], words)}",
                low=_percent(overall["low"], words), high=_percent(overall["high"], words),
            )
        return out


def extremes_of(candidates: list[dict]) -> Extremes | None:
    """The least and most deprived among published entries ({"variable", "value", "label", "H"})."""
    if not candidates:
        return None
    ordered = sorted(candidates, key=lambda c: (c["H"], str(c["variable"]), str(c["value"])))
    return Extremes(least=ordered[0], most=ordered[-1])


def _gap(population: float, observed: float) -> float:
    """The share of a population missing from respondents whose share of the unreached is `observed`."""
    if observed >= population or observed >= 1:
        return 0.0
    return (population - observed) / (1 - observed)


def _odds(share: float) -> float:
    return share / (1 - share)


def _percent(share: float, lang: str) -> str:
    number = f"{share * 100:.0f}"
    return f"{number} %" if lang == "fr" else f"{number}%"
