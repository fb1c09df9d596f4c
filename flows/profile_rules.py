"""The rules of a flow's exclusion-risk model: cutoff, groups, dimensions and their weighted indicators."""

from __future__ import annotations

import math
from typing import Any

from flows.checks import QUESTION_ID, Checks
from flows.expr import Expression
from flows.model import Coverage, Dimension, Indicator, Profile, Question

BUILTIN_GROUPS = ("channel", "language")
PROFILE_KEYS = {"cutoff", "min_cell", "groups", "dimensions", "coverage"}
COVERAGE_KEYS = {"question", "unreached", "assumed_share"}
DIMENSION_KEYS = {"id", "weight", "indicators", "label"}
INDICATOR_KEYS = {"id", "deprived_if", "weight", "label"}


class ProfileChecks(Checks):
    """Checks the `profile:` section against the questions already loaded."""

    def profile(self, raw: Any, questions: tuple[Question, ...]) -> Profile | None:
        p = self.mapping(raw, "profile", PROFILE_KEYS, ("cutoff", "groups", "dimensions"))
        if p is None:
            return None
        known = {q.id: q for q in questions}
        cutoff = self.number(p.get("cutoff"), "profile.cutoff") if "cutoff" in p else None
        if cutoff is not None and not 0 < cutoff <= 1:
            self.error("profile.cutoff", f"must be between 0 (excluded) and 1, not {cutoff}")
        min_cell = p.get("min_cell")
        if min_cell is not None and (isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1):
            self.error("profile.min_cell", f"must be a whole number of respondents, at least 1, not {min_cell!r}")
        groups = self.groups(p.get("groups"), known)
        dimensions = self.dimensions(p.get("dimensions"), known)
        coverage = self.coverage(p["coverage"], known) if "coverage" in p else None
        if cutoff is None or dimensions is None or groups is None or ("coverage" in p and coverage is None):
            return None
        return Profile(cutoff=cutoff, groups=groups, dimensions=dimensions, min_cell=min_cell, coverage=coverage)

    def coverage(self, raw: Any, known: dict[str, Question]) -> Coverage | None:
        """`coverage: {question: phone, unreached: [none], assumed_share: 0.25}`."""
        c = self.mapping(raw, "profile.coverage", COVERAGE_KEYS, ("question", "unreached"))
        if c is None:
            return None
        qid = c.get("question")
        question = known.get(qid) if isinstance(qid, str) else None
        if question is None:
            if qid not in self.broken_ids:
                self.error("profile.coverage.question", f"unknown question {qid!r}")
            return None
        if question.type not in ("choice", "yes_no"):
            self.error("profile.coverage.question", f"'{qid}' is a {question.type} question; it must be a choice or yes_no question")
            return None
        raw_unreached = c.get("unreached")
        unreached = self.string_list(raw_unreached, "profile.coverage.unreached")
        codes = [choice.code for choice in question.choices] if question.type == "choice" else ["yes", "no"]
        if not unreached:
            if raw_unreached == []:
                self.error("profile.coverage.unreached", f"must list at least one code (one of {', '.join(codes)})")
            return None
        bad = [code for code in unreached if code not in codes]
        if bad:
            self.error("profile.coverage.unreached", f"unknown code {', '.join(map(repr, bad))} of '{qid}' (one of {', '.join(codes)})")
            return None
        if len(unreached) == len(codes):
            self.error("profile.coverage.unreached", f"lists every answer of '{qid}': nobody would be reached")
            return None
        share = self.number(c.get("assumed_share"), "profile.coverage.assumed_share") if "assumed_share" in c else None
        if share is not None and not 0 < share < 1:
            self.error("profile.coverage.assumed_share", f"must be a share between 0 and 1 (excluded), not {share}")
            return None
        if "assumed_share" in c and share is None:
            return None
        return Coverage(question=qid, unreached=tuple(unreached), assumed_share=share)

    def groups(self, raw: Any, known: dict[str, Question]) -> tuple[str, ...] | None:
        if raw is None:
            return None
        groups = self.string_list(raw, "profile.groups")
        for i, g in enumerate(groups):
            q = known.get(g)
            if g in groups[:i]:
                self.error(f"profile.groups[{i}]", f"duplicate group '{g}'")
                continue
            if g in BUILTIN_GROUPS or g in self.broken_ids:
                continue
            if q is None:
                self.error(f"profile.groups[{i}]", f"unknown question '{g}' (or built-in {', '.join(BUILTIN_GROUPS)})")
            elif q.type in ("text", "multi_choice") or (q.type == "number" and not q.bands):
                self.error(f"profile.groups[{i}]", f"cannot group by {q.type} question '{g}'" + (" without bands" if q.type == "number" else ""))
        return groups

    def dimensions(self, raw: Any, known: dict[str, Question]) -> tuple[Dimension, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.error("profile.dimensions", "must be a non-empty list of dimensions")
            return None
        dims: list[Dimension] = []
        seen: set[str] = set()
        total = 0.0
        for i, item in enumerate(raw):
            path = f"profile.dimensions[{i}]"
            d = self.mapping(item, path, DIMENSION_KEYS, ("id", "weight", "indicators"))
            if d is None:
                continue
            did = d.get("id")
            if not (isinstance(did, str) and QUESTION_ID.match(did)):
                self.error(f"{path}.id", f"must match [a-z_][a-z0-9_]*, not {did!r}")
            elif did in seen:
                self.error(f"{path}.id", f"duplicate id '{did}'")
            seen.add(str(did))
            weight = self.number(d.get("weight"), f"{path}.weight") if "weight" in d else None
            if weight is not None and weight <= 0:
                self.error(f"{path}.weight", "must be positive")
            label = self.text(d["label"], f"{path}.label") if "label" in d else None
            indicators = self.indicators(d.get("indicators"), path, weight, known, seen)
            if weight is not None:
                total += weight
            if indicators is not None and weight is not None and isinstance(did, str):
                dims.append(Dimension(id=did, weight=weight, indicators=indicators, label=label))
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            self.error("profile.dimensions", f"weights sum to {round(total, 6)}, not 1")
        return tuple(dims) if len(dims) == len(raw) else None

    def indicators(self, raw: Any, dpath: str, dim_weight: float | None, known: dict[str, Question],
                   seen: set[str]) -> tuple[Indicator, ...] | None:
        path = f"{dpath}.indicators"
        if not isinstance(raw, list) or not raw:
            self.error(path, "must be a non-empty list of indicators")
            return None
        parsed: list[tuple[str, Expression, float | None]] = []
        labels: dict[str, dict] = {}
        for j, item in enumerate(raw):
            ipath = f"{path}[{j}]"
            ind = self.mapping(item, ipath, INDICATOR_KEYS, ("id", "deprived_if"))
            if ind is None:
                continue
            iid = ind.get("id")
            if not (isinstance(iid, str) and QUESTION_ID.match(iid)):
                self.error(f"{ipath}.id", f"must match [a-z_][a-z0-9_]*, not {iid!r}")
                continue
            if iid in seen:
                self.error(f"{ipath}.id", f"duplicate id '{iid}'")
            seen.add(iid)
            expr = self.expression(ind.get("deprived_if"), f"{ipath}.deprived_if") if "deprived_if" in ind else None
            if expr is not None:
                self.check_references(expr, f"{ipath}.deprived_if", known)
            if "label" in ind and (label := self.text(ind["label"], f"{ipath}.label")) is not None:
                labels[iid] = label
            weight = self.number(ind["weight"], f"{ipath}.weight") if "weight" in ind else None
            if weight is not None and weight <= 0:
                self.error(f"{ipath}.weight", "must be positive")
                continue
            if expr is not None and (weight is not None or "weight" not in ind):
                parsed.append((iid, expr, weight))
        if len(parsed) != len(raw) or dim_weight is None:
            return None
        given = [w for _, _, w in parsed if w is not None]
        if given and len(given) != len(parsed):
            self.error(path, "give a weight to every indicator of the dimension, or to none")
            return None
        if given and not math.isclose(sum(given), dim_weight, abs_tol=1e-6):
            self.error(path, f"indicator weights sum to {round(sum(given), 6)}, not the dimension's {dim_weight}")
            return None
        share = dim_weight / len(parsed)
        return tuple(Indicator(id=i, deprived_if=e, weight=w if w is not None else share, label=labels.get(i)) for i, e, w in parsed)
