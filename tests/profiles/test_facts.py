"""A response reduced to its facts: group values (bands for numbers), deprivation bits, helpers."""

from __future__ import annotations

import dataclasses

from flows.loader import load_flow
from palabre.config import ROOT
from profiles.cells import cells_from_facts
from profiles.facts import decode_groups, encode_groups, facts_key, response_fact

FLOW = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")
ANSWERS = {"channel": "ussd", "language": "fr", "district": "nord", "gender": "female", "age": 67, "disability": "none",
           "travel_minutes": 90, "visit_cost": "nothing", "visits_needed": 3, "wait": "week", "phone": "basic",
           "helper": ["nobody", "family"], "comment": "never read"}


def test_groups_bands_and_deprivation_bits():
    fact = response_fact(FLOW, ANSWERS)
    # The groups, then the coverage question (phone: who a phone consultation misses).
    assert fact.groups == ("nord", "female", "60+", "none", "ussd", "fr", "basic")
    # far_office (bit 0), many_visits (2), no_internet (4), no_help (5)
    assert fact.deprived == 0b110101
    assert fact.helpers == 0b1001  # family (choice 0) and nobody (choice 3)


def test_missing_answers_are_never_deprived_and_group_as_null():
    fact = response_fact(FLOW, {"channel": "sms", "language": "en"})
    assert (fact.groups, fact.deprived, fact.helpers) == ((None, None, None, None, "sms", "en", None), 0, None)


def test_group_values_round_trip_through_their_sql_text():
    groups = ("nord", None, "60+", "none", "ussd", "fr")
    assert decode_groups(encode_groups(groups)) == groups


def test_the_key_changes_with_the_profile_only():
    reworded = dataclasses.replace(FLOW, title={"fr": "Autre titre", "en": "Other title"})
    assert facts_key(reworded) == facts_key(FLOW)
    fewer_groups = dataclasses.replace(FLOW, profile=dataclasses.replace(FLOW.profile, groups=("district",)))
    assert facts_key(fewer_groups) != facts_key(FLOW)


def test_facts_count_into_cells():
    facts = [response_fact(FLOW, ANSWERS)] * 3 + [response_fact(FLOW, {"channel": "sms", "language": "en"})]
    cells = cells_from_facts(facts, len(FLOW.profile.indicators))
    assert cells.n == 4 and sorted(cells.counts.tolist()) == [1, 3]
    assert cells.deprived.shape == (2, 6)
