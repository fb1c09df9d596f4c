"""Property tests: whatever text arrives, the parsers answer or refuse cleanly, never with an unhandled exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.answers import parse_number
from flows.expr import ExpressionError, parse
from flows.loader import check_flow_text
from palabre.sms_segments import count_segments, non_gsm_characters, to_gsm_friendly

# Texts as citizens and flow authors produce them: any Unicode, plus the characters that matter here.
TEXT = st.text(st.characters(codec="utf-8"), max_size=200) | st.text("0123456789 ,.*#h:-+'\"éçœ€[]{}~^|\\", max_size=40)
EXPRESSION_WORDS = ["q", "age", "phone", "'x'", "'none'", "1", "2.5", "-3", "null", "true", "false", "and", "or", "not",
                    "in", "==", "!=", "<", "<=", ">", ">=", "(", ")", "[", "]", ","]
ANSWER = st.none() | st.booleans() | st.integers(-1000, 1000) | st.floats(allow_nan=False) | st.text(max_size=5) \
    | st.lists(st.sampled_from(["x", "none", "a"]), max_size=3)

quick = settings(max_examples=300, deadline=None)


@quick
@given(TEXT)
def test_segment_counting_takes_any_text(text):
    counted = count_segments(text)
    assert counted.encoding in {"GSM-7", "UCS-2"}
    assert counted.segments >= (1 if text else 0)
    assert 0 <= counted.chars_left <= counted.per_segment


@quick
@given(TEXT)
def test_the_gsm_friendly_form_only_removes_characters_outside_gsm7(text):
    friendly = to_gsm_friendly(text)
    assert set(non_gsm_characters(friendly)) <= set(non_gsm_characters(text)), "characters with no close one stay"
    assert to_gsm_friendly(friendly) == friendly


@quick
@given(st.text("abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæÀÂÇÉÈÊËÎÏÔÙÛÜŒÆ ’'«»…–-.,!?:;0123456789\n", max_size=80))
def test_french_text_becomes_gsm7(text):
    assert count_segments(to_gsm_friendly(text)).encoding == "GSM-7"


@quick
@given(TEXT, st.sampled_from([None, "minutes"]))
def test_number_parsing_answers_a_number_or_none(text, unit):
    value = parse_number(text, unit)
    assert value is None or isinstance(value, (int, float))


@quick
@given(TEXT)
def test_any_expression_text_parses_or_is_refused_with_an_expression_error(text):
    try:
        parse(text)
    except ExpressionError:
        pass


@quick
@given(st.lists(st.sampled_from(EXPRESSION_WORDS), min_size=1, max_size=12),
       st.dictionaries(st.sampled_from(["q", "age", "phone"]), ANSWER))
def test_a_parsed_expression_evaluates_for_any_answers(words, answers):
    try:
        expression = parse(" ".join(words))
    except ExpressionError:
        return
    assert expression.test(answers) in {True, False}


FLOW_KEYS = st.sampled_from(["id", "title", "languages", "questions", "end", "profile", "type", "choices", "prompt",
                             "code", "label", "when", "min", "max", "fr", "en", "dimensions", "indicators", "weight"])
YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text("abc fr'\"{}[]:-", max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(FLOW_KEYS, inner, max_size=4),
    max_leaves=20,
)


@quick
@given(TEXT)
def test_the_flow_loader_reports_problems_for_any_text(text):
    flow, problems = check_flow_text(text)
    assert flow is not None or problems, "a refused flow always says why"


@quick
@given(YAML_VALUES)
def test_the_flow_loader_reports_problems_for_any_yaml_shape(data):
    import yaml

    flow, problems = check_flow_text(yaml.safe_dump(data, allow_unicode=True))
    assert flow is not None or problems, "a refused flow always says why"
