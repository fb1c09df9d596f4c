"""The relays named on questionnaires collected by enumerators: which associations reach people without a phone.

    {"respondents": 42, "suppressed": false, "others": 3,
     "relays": [{"name": "Association Femmes du Nord", "n": 25, "share": 0.595}, ...]}

A relay's name is free text an enumerator typed: names that differ only by case or spaces are one
relay (shown as its most frequent spelling). Only relays named by at least min_cell respondents
are listed; the rest are counted together in `others`, without their names, since a name few
people gave could point at them. `share` is of the respondents who named a relay.
"""

from __future__ import annotations

from typing import Mapping

from profiles.measures import rounded
from profiles.suppression import SMALL


def relay_key(name: str) -> str:
    """What makes two spellings the same relay: case and spaces set aside."""
    return " ".join(name.split()).casefold()


def relays_section(counts: Mapping[str, int], min_cell: int) -> dict:
    """Respondents per relay named (counts by name as stored), merged by relay_key and suppressed below min_cell."""
    merged: dict[str, int] = {}
    spellings: dict[str, dict[str, int]] = {}
    for name, count in counts.items():
        tidy = " ".join(name.split())
        if not tidy or count <= 0:
            continue
        key = relay_key(tidy)
        merged[key] = merged.get(key, 0) + count
        spellings.setdefault(key, {})
        spellings[key][tidy] = spellings[key].get(tidy, 0) + count
    respondents = sum(merged.values())
    if respondents < min_cell:
        return {"respondents": None, "suppressed": True, "suppression": SMALL, "others": None, "relays": []}
    shown = [(_spelling(spellings[key]), n) for key, n in merged.items() if n >= min_cell]
    shown.sort(key=lambda item: (-item[1], relay_key(item[0])))
    return {
        "respondents": respondents, "suppressed": False,
        "others": respondents - sum(n for _, n in shown),
        "relays": [{"name": name, "n": n, "share": rounded(n / respondents)} for name, n in shown],
    }


def _spelling(spellings: dict[str, int]) -> str:
    """The spelling most respondents' questionnaires used; the first in alphabetical order on a tie."""
    return min(spellings, key=lambda name: (-spellings[name], name))
