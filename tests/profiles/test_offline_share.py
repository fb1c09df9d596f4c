"""representativeness.offline_share: how much of the picture came from people reached without a phone of their own."""

from __future__ import annotations

import io

from flows.loader import load_flow
from palabre.config import ROOT
from profiles.from_csv import profile_from_csv

FLOW = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")
HEADER = ("response_id,participant,channel,language,status,started_at,completed_at,lang,consent,district,gender,age,"
          "disability,travel_minutes,visit_cost,visits_needed,wait,phone,helper,contact_channel,comment\n")


def responses(**channels: int) -> io.StringIO:
    rows = [f",,{channel},fr,completed,,,fr,yes,nord,female,40,none,30,nothing,1,week,basic,family,sms,\n"
            for channel, count in channels.items() for _ in range(count)]
    return io.StringIO(HEADER + "".join(rows))


def test_paper_and_assisted_respondents_over_all_respondents():
    profile = profile_from_csv(FLOW, responses(sms=20, paper=10, assisted=5), min_cell=5)
    assert profile["representativeness"]["offline_share"] == round(15 / 35, 6)  # rounded as every share of the profile


def test_a_handful_of_offline_respondents_is_not_published():
    profile = profile_from_csv(FLOW, responses(sms=30, paper=3), min_cell=10)
    assert profile["representativeness"]["offline_share"] is None
    assert profile_from_csv(FLOW, responses(sms=30), min_cell=10)["representativeness"]["offline_share"] == 0.0
