"""Reading responses typed into a spreadsheet: typed values back, and errors naming row and column."""

from __future__ import annotations

import io

import pytest

from flows.loader import load_flow
from palabre.config import ROOT
from profiles.responses_csv import ResponsesInvalid, read_responses

FLOW = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")
HEADER = "response_id,participant,channel,language,status,started_at,completed_at,lang,consent,district,gender,age,disability,travel_minutes,visit_cost,visits_needed,wait,phone,helper,contact_channel,comment\n"


def read(text: str):
    return list(read_responses(io.StringIO(text), FLOW))


def test_values_come_back_typed():
    text = HEADER + "r1,p1,SMS,fr,completed,,,fr,oui,Nord,female,67,none,1h30,half_day,3,month,basic,nobody family,sms,=1+1\n"
    [row] = read(text)
    assert row.row == 2 and row.status == "completed"
    assert row.answers == {
        "channel": "sms", "language": "fr", "lang": "fr", "consent": "yes", "district": "nord", "gender": "female",
        "age": 67, "disability": "none", "travel_minutes": 90, "visit_cost": "half_day", "visits_needed": 3,
        "wait": "month", "phone": "basic", "helper": ["family", "nobody"], "contact_channel": "sms",
    }  # free text (comment) is never read


def test_semicolons_and_labels_from_a_french_spreadsheet():
    text = HEADER.replace(",", ";") + "r1;p1;paper;fr;completed;;;fr;yes;Centre;Une femme;34;Non;45;Presque rien;1;week;Aucun;Famille ou amis, Une association;office;\n"
    [row] = read(text)
    assert (row.answers["gender"], row.answers["disability"], row.answers["helper"]) == ("female", "none", ["family", "association"])


def test_every_problem_names_its_row_and_column():
    text = HEADER + (
        "r1,p1,sms,fr,done,,,fr,yes,nord,female,30,none,20,nothing,1,week,basic,family,sms,\n"
        "r2,p2,sms,de,completed,,,fr,yes,nrod,female,150,none,abc,nothing,1.5,week,basic,family cousin,sms,\n"
    )
    with pytest.raises(ResponsesInvalid) as raised:
        read(text)
    assert raised.value.problems == [
        "row 2, column status: unknown status 'done' (one of active, completed, declined, expired, opted_out)",
        "row 3, column language: unknown language 'de' (one of fr, en)",
        "row 3, column district: unknown code 'nrod' (one of centre, nord, sud, est, ouest)",
        "row 3, column age: 150 is outside 10..120",
        "row 3, column travel_minutes: 'abc' is not a number of minutes (e.g. 45 or 1h30)",
        "row 3, column visits_needed: '1.5' is not a whole number",
        "row 3, column helper: unknown code 'cousin' (one of family, association, agent, nobody, separated by spaces)",
    ]


def test_missing_columns_are_named_with_what_needs_them():
    header = "response_id,channel,status,district,gender,age,disability\n"
    with pytest.raises(ResponsesInvalid) as raised:
        read(header + "r1,sms,completed,nord,female,30,none\n")
    assert raised.value.problems[:3] == [
        "row 1: missing column 'language' (needed by every response)",
        "row 1: missing column 'travel_minutes' (needed by indicator far_office)",
        "row 1: missing column 'visit_cost' (needed by indicator costly_trip)",
    ]


def test_blank_lines_and_cells_are_unanswered():
    text = HEADER + "\n" + "r1,p1,ussd,en,expired,,,en,yes,,,,,,,,,,,,\n"
    [row] = read(text)
    assert (row.row, row.status, row.answers) == (3, "expired", {"channel": "ussd", "language": "en", "lang": "en", "consent": "yes"})
