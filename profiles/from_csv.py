"""The offline profile: from a responses CSV (the export's columns) to the profile JSON."""

from __future__ import annotations

from collections import Counter
from typing import IO, Mapping

from flows.model import Flow
from flows.state import COMPLETED
from profiles.cells import cells_from_counts
from profiles.facts import FactMaker
from profiles.funnel import Unfinished, completion_funnel
from profiles.report import build_profile
from profiles.responses_csv import read_responses
from profiles.weighting import DEFAULT_TRIM_RATIO


def profile_from_csv(
    flow: Flow,
    stream: IO[str],
    min_cell: int,
    targets: Mapping[str, Mapping[str, float]] | None = None,
    trim_ratio: float | None = DEFAULT_TRIM_RATIO,
) -> dict:
    """Read every row, count completed ones into cells, and build the profile."""
    make_fact = FactMaker(flow)
    cells: Counter = Counter()
    helpers: Counter = Counter()
    statuses: Counter = Counter()
    unfinished = []
    for row in read_responses(stream, flow):
        channel, language = row.answers["channel"], row.answers["language"]
        statuses[(channel, language, row.status)] += 1
        if row.status != COMPLETED:
            # A CSV says nothing of when an active conversation last moved: count it as in progress.
            unfinished.append(Unfinished(channel, language, row.status, row.answers, idle=False))
            continue
        fact = make_fact(row.answers)
        cells[(fact.groups, fact.deprived)] += 1
        if fact.helpers is not None:
            helpers[fact.helpers] += 1
    indicators = len(flow.profile.indicators)  # type: ignore[union-attr]
    return build_profile(
        flow,
        cells_from_counts(((groups, mask, count) for (groups, mask), count in cells.items()), indicators),
        min_cell=min_cell,
        targets=targets,
        trim_ratio=trim_ratio,
        helpers=helpers,
        funnel=completion_funnel(flow, ((c, lang, s, n) for (c, lang, s), n in statuses.items()), unfinished),
    )
