"""Officials and the public read, above the headline, that people without a phone were probably missed, and how wrong H could be."""

from __future__ import annotations

import re
from html import unescape

SLUG = "access-barriers"
TARGETS = ("variable,value,population\n"
           "phone,none,2000\nphone,basic,4500\nphone,smartphone,2000\nphone,smartphone_internet,1500\n")


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", unescape(response.data.decode()))


def _phone_only_profile(runner) -> None:
    assert runner.invoke(args=["demo", "--no-serve", "--citizens", "300"]).exit_code == 0
    assert runner.invoke(args=["aggregate", SLUG]).exit_code == 0


def test_a_phone_only_consultation_is_warned_above_the_headline_on_both_pages(analyst, client, runner):
    _phone_only_profile(runner)
    for path in (f"/dashboard/{SLUG}", f"/results/{SLUG}"):
        viewer = analyst if path.startswith("/dashboard") else client
        english = _text(viewer.get(f"{path}?lang=en"))
        warning = english.index('<div class="warning"')
        assert warning < english.index('id="headline"'), path
        assert "Caution:" in english and "these figures probably understate exclusion" in english
        assert "upload a census target for \u201cPhone\u201d" in english and "send enumerators or paper questionnaires" in english
        french = _text(viewer.get(f"{path}?lang=fr"))
        assert french.index("Attention :") < french.index('id="headline"')
        assert "sous-estiment probablement l'exclusion" in french and "« Téléphone »" in french
        # The range beside H is explained in one sentence, below the headline, never before it.
        sentence = re.search(r'<p id="sensitivity" class="aid">(.*?)</p>', english).group(1)
        assert "H would lie between" in sentence and "assuming 25% have none)" in sentence
        assert english.index('id="sensitivity"') > english.index('id="headline"')


def test_the_officials_page_shows_who_has_no_phone_by_channel_and_each_groups_range(analyst, runner):
    _phone_only_profile(runner)
    page = _text(analyst.get(f"/dashboard/{SLUG}?lang=en"))
    assert "People without a phone of their own" in page
    share = re.search(r'<p id="coverage-share">(.*?)</p>', page).group(1)
    assert re.search(r"\d+% of respondents have none \(Phone\)\.", share) or "fewer than 10" in share, share
    channels = re.search(r'<table id="coverage-channels">(.*?)</table>', page).group(1)
    assert "SMS" in channels and ("%" in channels or "fewer than" in channels)
    groups = re.search(r'<table id="groups">(.*?)</table>', page).group(1)
    assert "Range with those not reached" in groups
    ranges = re.findall(r"<small>(\d+)–(\d+)%</small>", groups)
    assert ranges and all(int(low) <= int(high) for low, high in ranges)


def test_a_census_target_on_the_phone_question_lifts_the_warning(analyst, client, runner, tmp_path):
    _phone_only_profile(runner)
    targets = tmp_path / "phones.csv"
    targets.write_text(TARGETS)
    assert runner.invoke(args=["profiles", "targets", SLUG, str(targets)]).exit_code == 0
    assert runner.invoke(args=["aggregate", SLUG, "--trim-ratio", "0"]).exit_code == 0
    page = _text(analyst.get(f"/dashboard/{SLUG}?lang=en"))
    assert 'class="warning"' not in page
    assert "In the population (census target): 20%." in page
    assert "weighted to their share of the population" in page
    assert 'class="warning"' not in _text(client.get(f"/results/{SLUG}?lang=en"))
