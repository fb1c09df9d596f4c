"""Voice respondents count as their own channel on the pages, named in the page's language."""

from __future__ import annotations

from flows.loader import load_flow
from palabre.config import ROOT
from profiles.labels import value_label

SHIPPED = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")


def test_voice_is_named_in_each_language():
    assert value_label(SHIPPED, "channel", "voice") == {"fr": "Appel", "en": "Voice call"}
    assert value_label(SHIPPED, "channel", "sms") == {"fr": "SMS", "en": "SMS"}
