"""The names pages give questions, dimensions and indicators come from the flow, and `flows validate` says when one is missing."""

from __future__ import annotations

from flows.loader import load_flow
from flows.page_labels import label_warnings, question_label
from palabre.config import ROOT
from profiles.labels import group_label, indicator_label, value_label

SHIPPED = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")
UNLABELLED = load_flow(ROOT / "tests" / "data" / "flows" / "labels" / "unlabelled.yaml")


def test_the_shipped_flow_names_everything_a_page_shows_in_both_languages():
    assert label_warnings(SHIPPED) == []
    assert question_label(SHIPPED.question("travel_minutes"), "fr") == "Temps de trajet"
    assert group_label(SHIPPED, "district|gender", "fr") == "Quartier × Genre"
    assert group_label(SHIPPED, "channel", "en") == "Channel"
    far = SHIPPED.profile.indicators[0]
    assert (indicator_label(far, "fr"), indicator_label(far, "en")) == ("Bureau à plus d'une heure", "Office over an hour away")


def test_values_read_as_words_not_codes():
    assert value_label(SHIPPED, "age", "60+") == {"fr": "Âge 60+", "en": "Age 60+"}
    assert value_label(SHIPPED, "language", "fr") == {"fr": "Français", "en": "Français"}
    assert value_label(SHIPPED, "channel", "telegram")["fr"] == "Telegram"


def test_a_flow_without_labels_gets_a_warning_saying_what_pages_show_instead():
    warnings = [str(p) for p in label_warnings(UNLABELLED)]
    assert warnings == [
        "questions[0].short: no short label: pages show the prompt cut to 40 characters "
        "('Dans quel quartier de la ville vivez-vo…'); add short: {fr: ...}",
        "profile.dimensions[0].label: no label: pages show the id 'distance'",
        "profile.dimensions[0].indicators[0].label: no label: pages show the id 'far_office'",
    ]
    # The question with a short label is named by it; the others by what the warning said.
    assert question_label(UNLABELLED.question("minutes"), "en") == "Travel"
    assert question_label(UNLABELLED.question("district"), "fr") == "Dans quel quartier de la ville vivez-vo…"


def test_flows_validate_prints_the_label_warnings_and_still_accepts_the_flow(runner):
    result = runner.invoke(args=["flows", "validate", str(ROOT / "tests/data/flows/labels/unlabelled.yaml")])
    assert result.exit_code == 0, result.output
    assert "warning: profile.dimensions[0].label: no label: pages show the id 'distance'" in result.output
