"""The completion funnel: who started, consented, completed, and where the others stopped."""

from __future__ import annotations

from flows.loader import load_flow
from palabre.config import ROOT
from profiles.funnel import Unfinished, awaiting_question, completion_funnel, consent_gate

FLOW = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")
STARTED = {"lang": "fr", "consent": "yes", "district": "nord"}


def test_the_consent_gate_is_the_first_question_that_can_end_the_conversation():
    assert consent_gate(FLOW).id == "consent"


def test_where_a_conversation_stopped():
    assert awaiting_question(FLOW, Unfinished("sms", "fr", "expired", STARTED)) == "gender"
    assert awaiting_question(FLOW, Unfinished("sms", "fr", "expired", {})) == "lang"
    # The engine's history knows a skipped question; the current question wins over both.
    skipped = Unfinished("sms", "fr", "expired", {"lang": "fr"}, history=("lang", "consent"))
    assert awaiting_question(FLOW, skipped) == "district"
    assert awaiting_question(FLOW, Unfinished("sms", "fr", "active", STARTED, current="age")) == "age"


def test_funnel_overall_and_by_channel_and_language():
    counts = [("sms", "fr", "completed", 40), ("ussd", "en", "completed", 10), ("sms", "fr", "declined", 3),
              ("sms", "fr", "expired", 2), ("ussd", "en", "active", 2), ("ussd", "fr", "opted_out", 1)]
    unfinished = [
        Unfinished("sms", "fr", "declined", {"lang": "fr", "consent": "no"}),
        Unfinished("sms", "fr", "declined", {"lang": "fr", "consent": "no"}),
        Unfinished("sms", "fr", "declined", {"lang": "fr", "consent": "no"}),
        Unfinished("sms", "fr", "expired", STARTED),
        Unfinished("sms", "fr", "expired", {"lang": "fr"}),
        Unfinished("ussd", "en", "active", STARTED, current="gender", idle=True),
        Unfinished("ussd", "en", "active", {"lang": "en"}, current="consent", idle=False),
        Unfinished("ussd", "fr", "opted_out", STARTED),
    ]
    funnel = completion_funnel(FLOW, counts, unfinished, invited={"sms": 100, "ussd": 20})
    assert funnel["overall"] == {
        "invited": 120, "started": 58, "consented": 53, "completed": 50, "declined": 3, "opted_out": 1,
        "in_progress": 1, "dropped": 3, "dropped_at": {"consent": 1, "gender": 2},
    }
    assert [(e["value"], e["invited"], e["started"], e["completed"]) for e in funnel["channel"]] == [
        ("sms", 100, 45, 40), ("ussd", 20, 13, 10)]
    assert [(e["value"], e["invited"], e["started"]) for e in funnel["language"]] == [("en", None, 12), ("fr", None, 46)]
