"""Tests for the flow condition language: cases are data, one row per behaviour."""

import pytest

from flows.expr import MAX_DEPTH, MAX_SOURCE_CHARS, Expression, ExpressionError, parse

TRAVEL = {"travel_minutes": 75, "phone": "none", "services": ["clinic", "school"]}

# (expression, answers, expected value of evaluate())
EVALUATE_CASES = [
    # literals and names
    ("60", {}, 60),
    ("0.5", {}, 0.5),
    ("-3", {}, -3),
    ("'none'", {}, "none"),
    ('"a b"', {}, "a b"),
    (r"'it\'s'", {}, "it's"),
    (r'"say \"hi\""', {}, 'say "hi"'),
    (r"'back\\slash'", {}, "back\\slash"),
    ("true", {}, True),
    ("false", {}, False),
    ("null", {}, None),
    ("phone", TRAVEL, "none"),
    ("missing", TRAVEL, None),
    # equality and inequality
    ("phone == 'none'", TRAVEL, True),
    ("phone == \"none\"", TRAVEL, True),
    ("phone == 'None'", TRAVEL, False),
    ("phone != 'none'", TRAVEL, False),
    ("phone != 'mobile'", TRAVEL, True),
    ("travel_minutes == 75", TRAVEL, True),
    ("'none' == phone", TRAVEL, True),
    ("flag == true", {"flag": True}, True),
    ("flag == false", {"flag": False}, True),
    ("x == y", {"x": "a", "y": "a"}, True),
    # ordering
    ("travel_minutes > 60", TRAVEL, True),
    ("travel_minutes > 75", TRAVEL, False),
    ("travel_minutes >= 75", TRAVEL, True),
    ("travel_minutes < 80", TRAVEL, True),
    ("travel_minutes <= 74", TRAVEL, False),
    ("travel_minutes <= 75.0", TRAVEL, True),
    ("x > -3", {"x": -2.5}, True),
    ("60 < travel_minutes", TRAVEL, True),
    # int/float equality is by value
    ("x == 60", {"x": 60.0}, True),
    ("x == 60.0", {"x": 60}, True),
    ("x != 60.0", {"x": 60}, False),
    # number/string and bool mismatches: false, never an error
    ("x == 60", {"x": "60"}, False),
    ("x != 60", {"x": "60"}, True),
    ("x > 3", {"x": "10"}, False),
    ("x < 3", {"x": "1"}, False),
    ("x >= 'a'", {"x": "b"}, False),
    ("x > 0", {"x": True}, False),
    ("x == 1", {"x": True}, False),
    ("x == true", {"x": 1}, False),
    ("x < 3", {"x": ["a"]}, False),
    ("x == 'a'", {"x": ["a"]}, False),
    # null semantics: comparisons with a missing answer are false...
    ("x == 'a'", {}, False),
    ("x != 'a'", {}, False),
    ("x > 3", {}, False),
    ("x <= 3", {"x": None}, False),
    ("x in ['a']", {}, False),
    ("x not in ['a']", {}, False),
    ("'a' in x", {}, False),
    ("'a' not in x", {}, False),
    ("x == y", {}, False),
    ("x != y", {"x": 1}, False),
    ("null < 3", {}, False),
    # ...so their negation is true
    ("not (x > 3)", {}, True),
    ("not x == 'a'", {}, True),
    # ...except an explicit comparison with the null literal
    ("x == null", {}, True),
    ("x == null", {"x": None}, True),
    ("x == null", {"x": 0}, False),
    ("x == null", {"x": ""}, False),
    ("null == x", {}, True),
    ("x != null", {}, False),
    ("x != null", {"x": False}, True),
    ("null != x", {"x": "a"}, True),
    ("null == null", {}, True),
    ("null != null", {}, False),
    # membership in a multi_choice answer
    ("'clinic' in services", TRAVEL, True),
    ("'market' in services", TRAVEL, False),
    ("'market' not in services", TRAVEL, True),
    ("'clinic' not in services", TRAVEL, False),
    ("'a' in x", {"x": ("a", "b")}, True),
    ("'a' in x", {"x": {"a"}}, True),
    ("'a' in x", {"x": frozenset({"a"})}, True),
    ("'a' in x", {"x": []}, False),
    ("2 in x", {"x": [1, 2.0]}, True),
    ("true in x", {"x": [1]}, False),
    # membership in a list literal
    ("phone in ['none', 'shared']", TRAVEL, True),
    ("phone in ['mobile', 'smart']", TRAVEL, False),
    ("phone not in ['mobile', 'smart']", TRAVEL, True),
    ("x in [1, 'a', true]", {"x": 1.0}, True),
    ("x in [1, 'a', true]", {"x": True}, True),
    ("x in [2, 'a']", {"x": True}, False),
    ("x in []", {"x": "a"}, False),
    ("x not in []", {"x": "a"}, True),
    # membership needs a collection; a string is not one
    ("'a' in x", {"x": "abc"}, False),
    ("'a' not in x", {"x": "abc"}, False),
    ("x in y", {"x": 1, "y": 1}, False),
    # collections compare as sets
    ("x == y", {"x": ["a", "b"], "y": ("b", "a")}, True),
    ("x == y", {"x": ["a"], "y": ["a", "b"]}, False),
    # not / and / or
    ("not true", {}, False),
    ("not false", {}, True),
    ("not not x", {"x": "a"}, True),
    ("true and false", {}, False),
    ("true and true", {}, True),
    ("false or true", {}, True),
    ("false or false", {}, False),
    # truthiness: null, false, 0, '' and empty collections are falsy; and/or give booleans
    ("not x", {}, True),
    ("not x", {"x": 0}, True),
    ("not x", {"x": 0.0}, True),
    ("not x", {"x": ""}, True),
    ("not x", {"x": []}, True),
    ("not x", {"x": "0"}, False),
    ("x or y", {"x": 0, "y": "yes"}, True),
    ("x and y", {"x": "a", "y": 5}, True),
    ("x and y", {"x": "a"}, False),
    ("x or y", {}, False),
    # precedence: or < and < not < comparison
    ("not a == 1 or b", {"a": 1, "b": 0}, False),
    ("not a == 1 or b", {"a": 1, "b": 2}, True),
    ("not a == 1 or b", {"a": 2, "b": 0}, True),
    ("true or true and false", {}, True),
    ("(true or true) and false", {}, False),
    ("false and true or true", {}, True),
    ("false and (true or true)", {}, False),
    ("not false and false", {}, False),
    ("not (false and false)", {}, True),
    ("a == 1 and b == 2 or c == 3", {"c": 3}, True),
    ("a == 1 and (b == 2 or c == 3)", {"c": 3}, False),
    # whitespace is free-form
    ("phone=='none'and(travel_minutes>60)", TRAVEL, True),
    ("  phone  ==\t'none'\n", TRAVEL, True),
    ("x==-3", {"x": -3}, True),
]


@pytest.mark.parametrize(("source", "answers", "expected"), EVALUATE_CASES)
def test_evaluate(source, answers, expected):
    result = parse(source).evaluate(answers)
    assert result == expected
    assert type(result) is type(expected)


# (expression, answers, expected test())
TEST_CASES = [
    ("travel_minutes > 60", TRAVEL, True),
    ("travel_minutes > 60", {}, False),
    ("phone", TRAVEL, True),
    ("missing", TRAVEL, False),
    ("services", TRAVEL, True),
    ("services", {"services": []}, False),
    ("0", {}, False),
    ("'x'", {}, True),
    ("null", {}, False),
]


@pytest.mark.parametrize(("source", "answers", "expected"), TEST_CASES)
def test_test_returns_a_bool(source, answers, expected):
    assert parse(source).test(answers) is expected


# (expression, names, literals)
EXTRACTION_CASES = [
    ("phone == 'none'", {"phone"}, (("phone", "none"),)),
    ("'none' != phone", {"phone"}, (("phone", "none"),)),
    ("'clinic' in services", {"services"}, (("services", "clinic"),)),
    ("'clinic' not in services", {"services"}, (("services", "clinic"),)),
    ("region in ['north', 'south', 3]", {"region"}, (("region", "north"), ("region", "south"), ("region", 3))),
    ("x == null", {"x"}, ()),
    ("travel_minutes > 60", {"travel_minutes"}, ()),
    ("x == y", {"x", "y"}, ()),
    ("1 == 1", set(), ()),
    ("true", set(), ()),
    (
        "not (a == 'x' or b == 2) and c in ['y'] and d",
        {"a", "b", "c", "d"},
        (("a", "x"), ("b", 2), ("c", "y")),
    ),
    ("a == 1 or a == 1", {"a"}, (("a", 1), ("a", 1))),
]


@pytest.mark.parametrize(("source", "names", "literals"), EXTRACTION_CASES)
def test_names_and_literals(source, names, literals):
    expression = parse(source)
    assert expression.names == frozenset(names)
    assert expression.literals == literals


# (expression, substring of the message, 0-based position)
MALFORMED_CASES = [
    ("", "empty expression", 0),
    ("   ", "empty expression", 0),
    ("phone == 'none' foo", "unexpected 'foo' at column 17", 16),
    ("x = 1", "unexpected '=' at column 3; use '==' to compare", 2),
    ("x == 'a", "unterminated string starting at column 6", 5),
    ('x == "a\\"', "unterminated string starting at column 6", 5),
    ("(x == 1", "expected ')' at column 8, found end of expression", 7),
    ("((x == 1) or y", "'(' at column 1 is not closed", 14),
    ("x ==", "expected a value at column 5, found end of expression", 4),
    ("x == and", "expected a value at column 6, found 'and'", 5),
    ("and == 1", "expected a value at column 1, found 'and'", 0),
    ("x == in", "expected a value at column 6, found 'in'", 5),
    ("null == not", "expected a value at column 9, found 'not'", 8),
    ("not", "expected a value at column 4, found end of expression", 3),
    ("()", "expected a value at column 2, found ')'", 1),
    ("x or", "expected a value at column 5", 4),
    ("a < b < c", "comparisons cannot be chained", 6),
    ("a == b != c", "unexpected '!=' at column 8", 7),
    ("a == b in c", "comparisons cannot be chained", 7),
    ("a == b not in c", "comparisons cannot be chained", 7),
    ("x not 3", "expected 'in' after 'not' at column 7, found '3'", 6),
    ("x in ['a'", "expected ',' or ']' at column 10, found end of expression", 9),
    ("x in ['a' 'b']", "'[' at column 6 is not closed", 10),
    ("x in ['a',]", "expected a string, number, true or false in the list at column 11", 10),
    ("x in [y]", "found 'y'", 6),
    ("x in [['a']]", "found '['", 6),
    ("x in [null]", "null is not allowed in a list", 6),
    ("['a'] == x", "a list can only follow 'in' or 'not in'", 0),
    ("Phone == 'x'", "invalid name 'Phone' at column 1; question ids are lower-case", 0),
    ("x == True", "did you mean 'true'?", 5),
    ("x == None", "did you mean 'null'?", 5),
    ("a AND b", "did you mean 'and'?", 2),
    ("x === 1", "unexpected '=' at column 5", 4),
    ("!x", "use 'not'", 0),
    ("a && b", "use 'and'", 2),
    ("a || b", "use 'or'", 2),
    ("x - 3", "unexpected '-' at column 3", 2),
    ("x + 1", "unexpected '+' at column 3", 2),
    ("1.", "unexpected '.' at column 2", 1),
    ("x == 1e5", "unexpected 'e5' at column 7", 6),
    ("café == 1", "unexpected 'é' at column 4", 3),
    ("x == 'a' 'b'", "unexpected string 'b' at column 10", 9),
    ("x in y z", "unexpected 'z' at column 8; expected 'and', 'or' or end of expression", 7),
    ("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), "nests more than 50 levels", MAX_DEPTH),
    ("not " * (MAX_DEPTH + 1) + "x", "nests more than 50 levels", 4 * MAX_DEPTH),
    ("x" * (MAX_SOURCE_CHARS + 1), "longer than 500 characters", MAX_SOURCE_CHARS),
]


@pytest.mark.parametrize(("source", "message", "position"), MALFORMED_CASES)
def test_malformed_expression(source, message, position):
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert message in caught.value.message
    assert message in str(caught.value)
    assert caught.value.position == position


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os')",
        "__import__('os').system('true')",
        "x.__class__",
        "x.__class__.__bases__",
        "open('/etc/passwd')",
        "x[0]",
        "lambda: 1",
        "[c for c in x]",
        "1 if x else 2",
        "x(1)",
        "exec('1')",
    ],
)
def test_python_is_not_evaluated(source):
    with pytest.raises(ExpressionError):
        parse(source)


def test_limits_are_inclusive():
    deepest = "(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH
    assert parse(deepest).evaluate({"x": 1}) == 1
    assert parse("not " * MAX_DEPTH + "x").test({"x": 1}) is True  # an even number of nots
    longest = "x == " + "1" * (MAX_SOURCE_CHARS - 5)
    assert len(longest) == MAX_SOURCE_CHARS
    assert parse(longest).test({}) is False


def test_evaluate_never_raises_on_odd_answers():
    answers = {"x": object(), "y": {"k": "v"}, "z": b"bytes"}
    for source in ["x > 1", "x == 'a'", "'k' in y", "z in ['a']", "x != y", "x < y"]:
        assert isinstance(parse(source).test(answers), bool)


def test_expression_is_frozen_and_keeps_its_source():
    expression = parse("phone == 'none'")
    assert isinstance(expression, Expression)
    assert expression.source == "phone == 'none'"
    assert expression == parse("phone == 'none'")
    with pytest.raises(AttributeError):
        expression.source = "true"  # type: ignore[misc]


def test_expression_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse("x =")
