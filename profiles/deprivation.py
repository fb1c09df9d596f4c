"""From answers to the Alkire-Foster inputs: who is deprived in which indicator, and the weights."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np

from flows.model import Profile


def indicator_weights(profile: Profile) -> np.ndarray:
    """The weight of every indicator, in profile order (they sum to 1)."""
    return np.array([indicator.weight for indicator in profile.indicators], dtype=float)


def deprivation_matrix(profile: Profile, respondents: Iterable[Mapping[str, Any]]) -> np.ndarray:
    """g[i, j] = 1 when respondent i's answers meet indicator j's `deprived_if` (a missing answer never does)."""
    tests = [indicator.deprived_if.test for indicator in profile.indicators]
    rows = [[test(answers) for test in tests] for answers in respondents]
    return np.array(rows, dtype=bool).reshape(len(rows), len(tests))
