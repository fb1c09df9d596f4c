"""The relays enumerators named: one relay whatever its spelling's case and spaces, and none named by too few."""

from __future__ import annotations

from profiles.relays import relays_section


def test_spellings_that_differ_by_case_and_spaces_are_one_relay_shown_as_the_most_common():
    section = relays_section({"Association Femmes du Nord": 7, "association  femmes du NORD ": 2,
                              "ASSOCIATION FEMMES DU NORD": 1, "Relais Sud": 12}, min_cell=10)
    assert section["relays"] == [
        {"name": "Relais Sud", "n": 12, "share": round(12 / 22, 6)},
        {"name": "Association Femmes du Nord", "n": 10, "share": round(10 / 22, 6)},
    ]
    assert section["respondents"] == 22 and section["others"] == 0 and section["suppressed"] is False


def test_a_relay_named_by_fewer_than_min_cell_respondents_is_counted_without_its_name():
    section = relays_section({"Association Femmes du Nord": 15, "Mme Koné, rue 12": 2, "Relais Sud": 9}, min_cell=10)
    assert [r["name"] for r in section["relays"]] == ["Association Femmes du Nord"]
    assert section["others"] == 11 and section["respondents"] == 26
    assert "Koné" not in repr(section) and "Relais Sud" not in repr(section)


def test_fewer_than_min_cell_respondents_naming_a_relay_show_nothing():
    section = relays_section({"Association Femmes du Nord": 6, "Relais Sud": 3}, min_cell=10)
    assert section == {"respondents": None, "suppressed": True, "suppression": "small", "others": None, "relays": []}


def test_blank_names_are_not_a_relay():
    section = relays_section({"   ": 40, "Relais Sud": 10}, min_cell=10)
    assert section["respondents"] == 10 and [r["name"] for r in section["relays"]] == ["Relais Sud"]
