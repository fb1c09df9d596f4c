"""Assemble a consultation's exclusion-risk profile: the JSON of `profiles compute` and of every snapshot.

    {"overall": {...}, "groups": {"district": [{"value": "nord", ...}], "district|gender": [...]},
     "robustness": [{"cutoff": k, "H": ..., "M0": ...}], "representativeness": {...},
     "funnel": {...}, "findings": {"fr": [...], "en": [...]}}

`representativeness.warnings` lists what may make the figures wrong ({"code", "variable", "text"});
with a `coverage` declaration, `representativeness.coverage` says who was not reached by phone and
the overall figure and every published group carry a `sensitivity` range (profiles.coverage).

The cross of the first two groups is keyed "<first>|<second>" and its values are [first, second].
A hidden entry reads {"n": null, "suppressed": true, "suppression": "small" | "complementary"}: small when it has
fewer than min_cell respondents, complementary when it is hidden only so that a small one cannot be subtracted out.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from flows.model import Flow
from profiles.cells import Cells, value_codes
from profiles.coverage import OFFLINE_CHANNELS, CoverageReport, extremes_of
from profiles.deprivation import indicator_weights
from profiles.facts import helper_question
from profiles.findings import findings
from profiles.labels import value_label, values_label
from profiles.measures import Figures, figures_json, population_figures, rounded
from profiles.suppression import SMALL, suppress_cells, suppression_kind
from profiles.table_suppression import suppress_table_cells
from profiles.targets import known_values
from profiles.weighting import DEFAULT_TRIM_RATIO, rake_cells, unweighted

ROBUSTNESS_CUTOFFS = (0.25, 0.5)  # besides the flow's own cutoff
CROSS_SEPARATOR = "|"
RAW_KEYS = ("n_eff", "H", "H_ci", "A", "M0", "censored_headcounts", "contributions", "contributions_by_dimension",
            "deprived_share", "deprived_share_ci", "reliable")


def build_profile(
    flow: Flow,
    cells: Cells,
    min_cell: int,
    targets: Mapping[str, Mapping[str, float]] | None = None,
    trim_ratio: float | None = DEFAULT_TRIM_RATIO,
    helpers: Mapping[int, int] | None = None,
    funnel: dict | None = None,
    targets_problem: str | None = None,
) -> dict:
    """The whole profile, suppressed and labelled, ready to publish."""
    return _Builder(flow, cells, min_cell, targets, trim_ratio).build(helpers or {}, funnel or {}, targets_problem)


class _Builder:
    def __init__(self, flow, cells, min_cell, targets, trim_ratio):
        if flow.profile is None:
            raise ValueError(f"flow '{flow.id}' has no profile section")
        self.flow, self.profile, self.cells, self.min_cell = flow, flow.profile, cells, min_cell
        self.groups = list(self.profile.groups)
        # The names of the cells' values: the groups first, then the coverage question and other margins.
        self.variables = list(cells.variables) or self.groups
        self.indicator_weights = indicator_weights(self.profile)
        targets = targets or {}
        unknown = [variable for variable in targets if variable not in self.variables]
        usable = bool(targets) and cells.n > 0 and not unknown
        self.weighting = rake_cells(cells, self.variables, targets, trim_ratio) if usable else unweighted(cells)
        if unknown:  # a caller's mistake, said rather than raised: the profile is still published, unweighted
            self.weighting.summary.update(error=f"the responses were counted without {', '.join(unknown)}: recompute them")
        self.weighted = self.weighting.applied
        self.hidden_all = cells.n < min_cell
        self.overall: Figures | None = None if self.hidden_all else self._figures(np.ones(len(cells.counts), dtype=bool))
        self.hidden: dict[str, dict] = {}  # group -> {hidden value: why it is hidden}
        self.targets = targets
        coverage = self.profile.coverage
        self.coverage = None if coverage is None else CoverageReport(
            flow, coverage, self._column, cells.counts, self.weighting.weights, min_cell, targets, self.weighted, self.hidden_all)

    def build(self, helpers, funnel, targets_problem) -> dict:
        groups = {group: self._partition(index, group) for index, group in enumerate(self.groups)}
        if len(self.groups) >= 2:
            groups[CROSS_SEPARATOR.join(self.groups[:2])] = self._cross()
        entries = [entry for partition in groups.values() for entry in partition]
        variables = [name for name, partition in groups.items() for _ in partition]
        overall = self._overall()
        representativeness = self._representativeness(helpers, targets_problem)
        if self.coverage is not None:
            representativeness["coverage"] = self._coverage(overall, groups)
            representativeness["warnings"] += self.coverage.warnings()
        return {
            "overall": overall,
            "groups": groups,
            "robustness": self._robustness(),
            "representativeness": representativeness,
            "funnel": self._funnel(funnel),
            "findings": findings(self.flow, entries, variables),
        }

    def _column(self, variable: str) -> list | None:
        return self.cells.column(self.variables.index(variable)) if variable in self.variables else None

    def _coverage(self, overall: dict, groups: dict[str, list[dict]]) -> dict:
        """Who the phone could not reach, and the sensitivity range on H overall and in every published entry."""
        candidates = [
            {"variable": group, "value": entry["value"], "label": entry["label"], "H": entry["H"]}
            for group in self.groups for entry in groups[group] if not entry["suppressed"]
        ] + self._coverage_groups()
        extremes = extremes_of(candidates)
        if extremes is None or overall.get("suppressed"):
            return self.coverage.section(None, None)
        g = self.coverage.missing_share()
        overall["sensitivity"] = self.coverage.sensitivity(overall["H_ci"], g, extremes)
        for name, partition in groups.items():
            own = None
            if name in self.groups and not any(entry["suppressed"] for entry in partition):
                column = self.cells.column(self.groups.index(name))
                masks = [np.array([v == entry["value"] for v in column], dtype=bool) for entry in partition]
                shares = self.coverage.group_missing_shares(masks)
                if shares is not None:
                    own = list(zip(shares, masks))
            for i, entry in enumerate(partition):
                if entry["suppressed"]:
                    continue
                if own is None:
                    entry["sensitivity"] = self.coverage.sensitivity(entry["H_ci"], g, extremes)
                    continue
                # The group's own respondents without a phone (at least min_cell) are a group observed too.
                share, mask = own[i]
                unreached = {"variable": name, "value": entry["value"], "label": entry["label"],
                             "H": rounded(self._figures(mask & self.coverage.unreached).af.H)}
                entry["sensitivity"] = self.coverage.sensitivity(entry["H_ci"], share, extremes_of(candidates + [unreached]))
        return self.coverage.section(extremes, overall["sensitivity"])

    def _coverage_groups(self) -> list[dict]:
        """H of each answer to the coverage question with at least min_cell respondents (not otherwise published)."""
        question = self.profile.coverage.question
        if question in self.groups or self.hidden_all:
            return []
        column = self._column(question) or []
        out = []
        for value in known_values(self.flow, question) or []:
            mask = np.array([v == value for v in column], dtype=bool)
            if int(self.cells.counts[mask].sum()) >= self.min_cell:
                out.append({"variable": question, "value": value, "label": value_label(self.flow, question, value),
                            "H": rounded(self._figures(mask).af.H)})
        return out

    def _overall(self) -> dict:
        settings = {"cutoff": self.profile.cutoff, "min_cell": self.min_cell, "weighted": self.weighted}
        if self.overall is None:
            return {"n": None, "suppressed": True, "suppression": SMALL, "reliable": False, **settings}
        return {**self._published(np.ones(len(self.cells.counts), dtype=bool), self.overall), **settings}

    def _values(self, index: int, group: str) -> list:
        known = known_values(self.flow, group) or []
        seen = set(self.cells.column(index))
        extra = sorted((v for v in seen if v is not None and v not in known), key=str)
        return [*known, *extra, *([None] if None in seen else [])]

    def _partition(self, index: int, group: str) -> list[dict]:
        values = self._values(index, group)
        codes = value_codes(self.cells.column(index), values)
        counts = np.bincount(codes[codes >= 0], weights=self.cells.counts[codes >= 0], minlength=len(values))
        keys = [repr(value) for value in values]
        hidden = set(keys) if self.hidden_all else suppress_cells(dict(zip(keys, counts.astype(int).tolist())), self.min_cell)
        kinds = {key: SMALL if self.hidden_all else suppression_kind(int(count), self.min_cell)
                 for key, count in zip(keys, counts) if key in hidden}
        self.hidden[group] = {value: kinds[key] for value, key in zip(values, keys) if key in hidden}
        return [
            self._entry(value, value_label(self.flow, group, value), codes == i, kinds.get(keys[i]))
            for i, value in enumerate(values)
        ]

    def _cross(self) -> list[dict]:
        (first, second), columns = self.groups[:2], []
        for index, group in enumerate(self.groups[:2]):
            values = self._values(index, group)
            columns.append((values, value_codes(self.cells.column(index), values)))
        (rows, row_codes), (cols, col_codes) = columns
        counts = {}
        for i in range(len(rows)):
            for j in range(len(cols)):
                counts[(i, j)] = int(self.cells.counts[(row_codes == i) & (col_codes == j)].sum())
        hidden = set(counts) if self.hidden_all else suppress_table_cells(
            counts, self.min_cell,
            published_rows=[i for i, v in enumerate(rows) if v not in self.hidden[first]],
            published_columns=[j for j, v in enumerate(cols) if v not in self.hidden[second]],
            hidden_rows=[i for i, v in enumerate(rows) if v in self.hidden[first]],
            hidden_columns=[j for j, v in enumerate(cols) if v in self.hidden[second]],
        )
        return [
            self._entry([rows[i], cols[j]], values_label(self.flow, [first, second], [rows[i], cols[j]]),
                        (row_codes == i) & (col_codes == j),
                        (SMALL if self.hidden_all else suppression_kind(counts[(i, j)], self.min_cell)) if (i, j) in hidden else None)
            for i, j in counts
        ]

    def _entry(self, value: Any, label: dict, mask: np.ndarray, suppression: str | None) -> dict:
        """A published entry, or a hidden one saying why it is hidden (`suppression`)."""
        head = {"value": value, "label": label}
        if suppression or self.overall is None:
            return {**head, "n": None, "suppressed": True, "suppression": suppression or SMALL, "reliable": False}
        figures = self._figures(mask)
        data = self._published(mask, figures)
        data["population_share"] = rounded(figures.population / self.overall.population)
        share_of_m0 = figures.population * figures.af.M0 / (self.overall.population * self.overall.af.M0) if self.overall.af.M0 else 0.0
        data["M0_contribution"] = rounded(share_of_m0)
        return {**head, **data}

    def _published(self, mask: np.ndarray, figures: Figures) -> dict:
        data = figures_json(figures, self.profile, with_population=self.weighted)
        if self.weighted:
            raw = figures_json(self._figures(mask, weighted=False), self.profile)
            data["raw"] = {key: raw[key] for key in RAW_KEYS}
        return data

    def _figures(self, mask: np.ndarray, weighted: bool = True, cutoff: float | None = None) -> Figures:
        weights = self.weighting.weights[mask] if weighted else np.ones(int(mask.sum()))
        return population_figures(
            self.cells.deprived[mask], self.cells.counts[mask], weights, self.indicator_weights,
            self.profile.cutoff if cutoff is None else cutoff,
        )

    def _robustness(self) -> list[dict]:
        if self.overall is None:
            return []
        everyone = np.ones(len(self.cells.counts), dtype=bool)
        out = []
        for k in sorted({*ROBUSTNESS_CUTOFFS, self.profile.cutoff}):
            af = self._figures(everyone, cutoff=k).af
            item = {"cutoff": k, "H": rounded(af.H), "M0": rounded(af.M0)}
            if self.weighted:
                raw = self._figures(everyone, weighted=False, cutoff=k).af
                item["raw"] = {"H": rounded(raw.H), "M0": rounded(raw.M0)}
            out.append(item)
        return out

    def _representativeness(self, helpers: Mapping[int, int], targets_problem: str | None) -> dict:
        weighting = dict(self.weighting.summary)
        if weighting.get("unmatched"):  # those with no target value (unanswered) are a cell like any: hidden when small
            weighting["unmatched"] = {v: None if 0 < count < self.min_cell or self.hidden_all else count
                                      for v, count in weighting["unmatched"].items()}
        if targets_problem:
            weighting.update(applied=False, error=targets_problem)
        variables = {}
        n = self.cells.n
        for variable, values in self.targets.items():
            codes = value_codes(self._column(variable), list(values))
            counts = np.bincount(codes[codes >= 0], weights=self.cells.counts[codes >= 0], minlength=len(values))
            total = sum(values.values())
            hidden = self.hidden.get(variable) if variable in self.hidden else self._margin_hidden(list(values), counts)
            rows = []
            for (value, population), count in zip(values.items(), counts):
                kind = SMALL if self.hidden_all else hidden.get(value)
                rows.append({
                    "value": value, "label": value_label(self.flow, variable, value),
                    "sample_share": None if kind else rounded(count / n),
                    "population_share": rounded(population / total), "population": population, "suppressed": bool(kind),
                    **({"suppression": kind} if kind else {}),
                })
            variables[variable] = rows
        return {"weighting": weighting, "variables": variables, "helpers": self._helpers(helpers),
                "offline_share": self._offline_share(), "warnings": []}

    def _margin_hidden(self, values: list, counts: np.ndarray) -> dict:
        """Which sample shares of a margin that is not a group must be hidden, and why (as a group's would be).

        Respondents with no target value (unanswered) count as one more cell: the total minus the shown
        ones would give them."""
        cells = {repr(value): int(count) for value, count in zip(values, counts)}
        rest = self.cells.n - sum(cells.values())
        if rest > 0:
            cells["rest"] = rest
        hidden = suppress_cells(cells, self.min_cell)
        return {value: suppression_kind(cells[repr(value)], self.min_cell) for value in values if repr(value) in hidden}

    def _offline_share(self) -> float | None:
        """Share of respondents reached without a phone of their own (paper, enumerators); None when hidden."""
        channels = self._column("channel")
        if channels is None or self.hidden_all:
            return None
        offline = float(sum(count for value, count in zip(channels, self.cells.counts) if value in OFFLINE_CHANNELS))
        # A handful of them would show who answered on paper in a small place: hidden as a small cell is.
        if 0 < offline < self.min_cell:
            return None
        return rounded(offline / self.cells.n)

    def _helpers(self, helpers: Mapping[int, int]) -> dict | None:
        question = helper_question(self.flow)
        if question is None:
            return None
        respondents = sum(helpers.values())
        if self.hidden_all or respondents < self.min_cell:
            return {"question": question.id, "respondents": None, "suppressed": True, "suppression": SMALL, "answers": []}
        answers = []
        for bit, choice in enumerate(question.choices):
            count = sum(c for mask, c in helpers.items() if mask >> bit & 1)
            label = value_label(self.flow, question.id, choice.code)
            hidden = count < self.min_cell  # answers overlap (several choices): no total to subtract from
            answers.append({"value": choice.code, "label": label, "n": None if hidden else count,
                            "share": None if hidden else rounded(count / respondents), "suppressed": hidden,
                            **({"suppression": SMALL} if hidden else {})})
        return {"question": question.id, "respondents": respondents, "suppressed": False, "answers": answers}

    def _funnel(self, funnel: dict) -> dict:
        out = {"overall": funnel.get("overall")}
        for attribute in ("channel", "language"):
            entries = funnel.get(attribute, [])
            hidden = {i for i, e in enumerate(entries) if e["started"] < self.min_cell
                      or e["value"] in self.hidden.get(attribute, {})}
            visible = sorted((e["started"], i) for i, e in enumerate(entries) if i not in hidden)
            if len(hidden) == 1 and visible:  # as for groups: no total minus the rest
                hidden.add(visible[0][1])
            # Small: fewer than min_cell started; otherwise hidden to protect a small one (here or in the profile).
            out[attribute] = [{"value": e["value"], "suppressed": True, "suppression": suppression_kind(e["started"], self.min_cell)}
                              if i in hidden else {**e, "suppressed": False} for i, e in enumerate(entries)]
        return out
