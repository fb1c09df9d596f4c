import pytest

from flows.answers import (
    SUPPORTED_UNITS,
    ChoiceOption,
    damerau_levenshtein,
    match_choice,
    match_global_command,
    match_multi_choice,
    match_start_command,
    normalize,
    parse_number,
    parse_yes_no,
    read_choice,
    read_multi_choice,
    read_yes_no,
    spells_a_number,
)

REGIONS = (
    ChoiceOption("north", ("Nord", "North")),
    ChoiceOption("south", ("Sud", "South")),
    ChoiceOption("north_east", ("Nord-Est", "North East")),
    ChoiceOption("capital", ("Capitale", "Capital city", "Libreville")),
)

WATER = (
    ChoiceOption("tap", ("Robinet", "Tap water", "eau du robinet")),
    ChoiceOption("well", ("Puits", "Well")),
    ChoiceOption("river", ("Rivière", "River")),
    ChoiceOption("vendor", ("Vendeur d'eau", "Water seller")),
)

HELPERS = (
    ChoiceOption("family", ("Famille", "Family")),
    ChoiceOption("friends", ("Amis", "Friends")),
    ChoiceOption("association", ("Association",)),
    ChoiceOption("state", ("État", "Government", "Gouvernement")),
    ChoiceOption("none", ("Personne", "Nobody")),
)

# "pain" and "main" are one edit apart, so some typos are one edit from both.
SHORT_WORDS = (
    ChoiceOption("bread", ("pain",)),
    ChoiceOption("hand", ("main",)),
    ChoiceOption("dad", ("papa",)),
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ARRÊT ", "arret"),
        ("  Précédent... ", "precedent"),
        ("L’eau   du\u00a0robinet !", "l'eau du robinet"),
        ("«Nord-Est»", "nord-est"),
        ("#1", "1"),
        ("(2)", "2"),
        ("ÇA VA?", "ca va"),
        ("", ""),
        ("  ?! ", ""),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("nord", "nord", 0),
        ("nrod", "nord", 1),  # adjacent transposition counts 1
        ("nor", "nord", 1),
        ("nordd", "nord", 1),
        ("nard", "nord", 1),
        ("ca", "abc", 3),  # optimal string alignment, not unrestricted Damerau
        ("", "abc", 3),
        ("libreville", "librevile", 1),
    ],
)
def test_damerau_levenshtein(a, b, expected):
    assert damerau_levenshtein(a, b) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # (1) position in the list
        ("1", "north"),
        (" 1.", "north"),
        ("1)", "north"),
        ("#2", "south"),
        ("(3)", "north_east"),
        ("4", "capital"),
        ("０４", "capital"),  # full-width digits from some phone keyboards
        ("5", None),  # out of range
        ("0", None),
        ("1 2", None),
        # (2) exact label, code, any language, accents and case ignored
        ("Nord", "north"),
        ("NORD", "north"),
        ("north", "north"),
        ("South", "south"),
        ("nord-est", "north_east"),
        ("North East", "north_east"),
        ("north_east", "north_east"),
        ("capitale!", "capital"),
        # (3) alias as a whole word sequence of the message
        ("je prends le nord", "north"),
        ("I live in the south", "south"),
        ("plutôt le nord-est", "north_east"),  # "nord-est" beats the "nord" inside it
        ("in the capital city please", "capital"),
        ("le nord ou le sud", None),  # two options named
        ("nordique", None),  # not a whole word
        # (4) typos
        ("nrod", "north"),
        ("Nordd", "north"),
        ("souht", "south"),
        ("Capitalle", "capital"),
        ("Librevile", "capital"),
        ("Libervile", "capital"),  # 2 edits allowed on long words
        ("Lbervile", None),  # 3 edits
        ("sdu", "south"),  # swapped letters: every letter of "sud" is still there
        ("sdd", None),  # but "sud" is too short for a changed letter
        # garbage
        ("", None),
        ("   ", None),
        ("?!", None),
        ("banane", None),
    ],
)
def test_match_choice_regions(text, expected):
    assert match_choice(text, REGIONS) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("robinet", "tap"),
        ("l'eau du robinet", "tap"),
        ("L’eau du robinet", "tap"),
        ("Riviere", "river"),
        ("rivière", "river"),
        ("RIVIÈRE", "river"),
        ("la riviere", "river"),
        ("rivier", "river"),
        ("puit", "well"),
        ("well", "well"),
        ("vendeur d’eau", "vendor"),
        ("Vendeur d eau", "vendor"),
        ("water seler", "vendor"),
        ("de l'eau", None),
    ],
)
def test_match_choice_accents_and_apostrophes(text, expected):
    assert match_choice(text, WATER) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("pein", "bread"),
        ("mian", "hand"),
        ("papz", "dad"),
        ("pai", "bread"),  # the alias length sets the budget: 4 letters, 1 edit
        ("bain", None),  # one edit from "pain" and from "main"
        ("ain", None),
        ("pan", "bread"),
        ("mainn", "hand"),
    ],
)
def test_match_choice_typo_ambiguity(text, expected):
    assert match_choice(text, SHORT_WORDS) == expected


def test_match_choice_exact_alias_shared_by_two_options_is_ambiguous():
    options = (ChoiceOption("a", ("eau",)), ChoiceOption("b", ("Eau",)))
    assert match_choice("eau", options) is None


def test_match_choice_position_wins_over_numeric_code():
    options = (ChoiceOption("2", ("deux",)), ChoiceOption("1", ("un",)))
    assert match_choice("1", options) == "2"
    assert match_choice("deux", options) == "2"


def test_match_choice_numeric_code_out_of_range_still_matches():
    options = (ChoiceOption("yes", ()), ChoiceOption("99", ("Je ne sais pas",)))
    assert match_choice("99", options) == "99"


def test_match_choice_is_deterministic():
    results = {match_choice("bain", SHORT_WORDS) for _ in range(20)}
    assert len(results) == 1


def test_match_choice_no_options():
    assert match_choice("1", ()) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", ("family",)),
        ("1 3", ("family", "association")),
        ("1,3", ("family", "association")),
        ("1, 3", ("family", "association")),
        ("1;3", ("family", "association")),
        ("1*3", ("family", "association")),  # a USSD keypad
        ("3 1", ("family", "association")),  # option order
        ("1 1 3", ("family", "association")),  # no duplicates
        ("1 et 3", ("family", "association")),
        ("1 and 3", ("family", "association")),
        ("13", None),  # thirteen, not 1 and 3
        ("1 9", None),
        ("famille et association", ("family", "association")),
        ("Family and friends", ("family", "friends")),
        ("amis, famille, état", ("family", "friends", "state")),
        ("famille association", ("family", "association")),
        ("la famille et les amis", ("family", "friends")),
        ("famile et asociation", ("family", "association")),  # typos
        ("1 et gouvernement", ("family", "state")),
        ("famille / amis", ("family", "friends")),
        ("personne", ("none",)),
        ("famille et voisins", None),  # one part unrecognised
        ("famille, ", ("family",)),
        ("", None),
        (" , ; ", None),
        ("n'importe quoi", None),
    ],
)
def test_match_multi_choice(text, expected):
    assert match_multi_choice(text, HELPERS) == expected


def test_match_multi_choice_thirteen_is_valid_with_thirteen_options():
    options = tuple(ChoiceOption(f"c{i}", ()) for i in range(1, 14))
    assert match_multi_choice("13", options) == ("c13",)
    assert match_multi_choice("1 3", options) == ("c1", "c3")


def test_match_multi_choice_label_containing_et():
    options = (
        ChoiceOption("wash", ("Eau et assainissement",)),
        ChoiceOption("health", ("Santé",)),
    )
    assert match_multi_choice("eau et assainissement, santé", options) == ("wash", "health")
    assert match_multi_choice("Eau et assainissement", options) == ("wash",)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("45", 45),
        ("45.5", 45.5),
        ("45,5", 45.5),
        (" 45 ", 45),
        ("45.", 45),
        ("0", 0),
        ("0,25", 0.25),
        ("1 000", 1000),
        ("1\u00a0000", 1000),  # no-break space
        ("1\u202f000", 1000),  # narrow no-break space (French typography)
        ("1\u2009000", 1000),  # thin space
        ("1 000 000", 1000000),
        ("-3", -3),
        ("\u22123", -3),  # typographic minus
        ("+3", 3),
        ("45 ans", 45),
        ("45ans", 45),
        ("45 years", 45),
        ("3 enfants", 3),
        ("2500 FCFA", 2500),
        ("deux", 2),
        ("Dix", 10),
        ("ten", 10),
        ("une", 1),
        ("trois enfants", 3),
        ("vingt cinq", 25),
        ("vingt-cinq", 25),
        ("Vingt et un", 21),
        ("soixante-dix", 70),
        ("soixante et onze", 71),
        ("soixante-dix-sept", 77),
        ("quatre-vingts", 80),
        ("quatre-vingt-douze ans", 92),
        ("quatre-vingt-dix-neuf", 99),
        ("nonante-neuf", 99),  # Belgium, Switzerland
        ("cent", 100),
        ("deux cent cinquante", 250),
        ("twenty-five", 25),
        ("ninety nine", 99),
        ("one hundred and five", 105),
        ("deux trois", None),  # two numbers, not one
        ("vingt douze", None),
        ("cinq vingt", None),
        # refused
        ("", None),
        ("   ", None),
        ("abc", None),
        ("12 15", None),
        ("45 ans et demi", None),
        ("1,250", None),  # thousands or decimal: ambiguous
        ("1.250", None),
        ("--3", None),
        ("3-4", None),
        ("1h30", None),  # a duration without unit='minutes'
        ("45 ans!!", 45),
    ],
)
def test_parse_number(text, expected):
    result = parse_number(text)
    assert result == expected
    if expected is not None:
        assert type(result) is type(expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("45", 45),
        ("45 min", 45),
        ("45mn", 45),
        ("45 minutes", 45),
        ("45 MINUTES", 45),
        ("1h30", 90),
        ("1 h 30", 90),
        ("1H30", 90),
        ("1h", 60),
        ("2 heures", 120),
        ("2 hours", 120),
        ("1 hour 15", 75),
        ("1.5 h", 90),
        ("1,5 h", 90),
        ("1h30min", 90),
        ("1 h 30 min", 90),
        ("2 heures et 15 minutes", 135),
        ("une heure", 60),
        ("deux heures", 120),
        ("one hour", 60),
        ("an hour", 60),
        ("une heure et demie", 90),
        ("1 hour and a half", 90),
        ("une demi-heure", 30),
        ("half an hour", 30),
        ("1.1 h", 66),  # exact decimal arithmetic, not 66.00000000000001
        ("0.5 min", 0.5),
        # refused
        ("1h75", None),
        ("1.5h30", None),
        ("12 15", None),
        ("45 ans", None),
        ("-3", None),
        ("abc", None),
        ("", None),
        ("h", None),
    ],
)
def test_parse_number_minutes(text, expected):
    result = parse_number(text, unit="minutes")
    assert result == expected
    if expected is not None:
        assert type(result) is type(expected)


def test_parse_number_unknown_unit_fails_loudly():
    assert "minutes" in SUPPORTED_UNITS
    with pytest.raises(ValueError, match="unknown unit 'kg'"):
        parse_number("3", unit="kg")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", "yes"),
        ("2", "no"),
        ("3", None),
        ("oui", "yes"),
        ("OUI", "yes"),
        ("Oui.", "yes"),
        ("o", "yes"),
        ("ouais", "yes"),
        ("ouai", "yes"),  # typo
        ("yes", "yes"),
        ("Y", "yes"),
        ("yeah", "yes"),
        ("yeha", "yes"),  # transposition
        ("si", "yes"),
        ("non", "no"),
        ("NON", "no"),
        ("n", "no"),
        ("no", "no"),
        ("nope", "no"),
        ("oui merci", "yes"),
        ("non merci", "no"),
        ("oui, il y a un puits", "yes"),  # "y" alone does not count inside a sentence
        ("non, il y a rien", "no"),
        ("yes and no", None),
        ("oui et non", None),
        ("je ne sais pas si", None),  # "si" inside a sentence is not a yes
        ("ouo", None),  # a changed letter in a short word is another word ("nom", "qui")
        ("ouii", "yes"),  # an extra or swapped letter keeps every letter of it
        ("oiu", "yes"),
        ("nonn", "no"),
        ("yess", "yes"),
        ("nom", None),
        ("peut-être", None),
        ("", None),
    ],
)
def test_parse_yes_no(text, expected):
    assert parse_yes_no(text) == expected


def test_parse_yes_no_extra_labels():
    assert parse_yes_no("bien sûr", extra_yes=("Bien sûr",)) == "yes"
    assert parse_yes_no("Jamais", extra_no=("jamais",)) == "no"
    assert parse_yes_no("bien sur") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("STOP", "stop"),
        ("stop", "stop"),
        (" Stop! ", "stop"),
        ("STOPALL", "stop"),
        ("unsubscribe", "stop"),
        ("Cancel", "stop"),
        ("END", "stop"),
        ("quit", "stop"),
        ("ARRET", "stop"),
        ("Arrêt", "stop"),
        ("AIDE", "help"),
        ("help", "help"),
        ("?", "help"),
        (" ?? ", "help"),
        ("RETOUR", "back"),
        ("back", "back"),
        ("precedent", "back"),
        ("Précédent", "back"),
        ("0", None),  # a number question may expect 0
        ("stop please", None),  # only the whole message
        ("je veux arrêter", None),
        ("stoo", None),  # no typos for commands
        ("START", None),
        ("", None),
    ],
)
def test_match_global_command(text, expected):
    assert match_global_command(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("START", True),
        ("start", True),
        ("Début", True),
        ("DEBUT", True),
        ("UNSTOP", True),
        ("yes", False),
        ("start now", False),
        ("stop", False),
        ("", False),
    ],
)
def test_match_start_command(text, expected):
    assert match_start_command(text) is expected


SMARTPHONES = (
    ChoiceOption("none", ("Aucun", "None", "pas de telephone")),
    ChoiceOption("basic", ("Téléphone simple", "Basic phone")),
    ChoiceOption("smartphone", ("Smartphone sans internet", "Smartphone without internet")),
    ChoiceOption("smartphone_internet", ("Smartphone avec internet", "Smartphone with internet")),
)


@pytest.mark.parametrize(
    "text, candidates",
    [
        ("smartfone", ("smartphone", "smartphone_internet")),  # a misspelt word of two labels
        ("smartphone", ("smartphone", "smartphone_internet")),  # a code that is a word of another label
        ("internet", ("smartphone", "smartphone_internet")),
        ("telefone", ("none", "basic")),
    ],
)
def test_read_choice_equally_close_options_are_candidates(text, candidates):
    reading = read_choice(text, SMARTPHONES)
    assert reading.indexes == ()
    assert tuple(SMARTPHONES[i].code for i in reading.candidates) == candidates
    assert match_choice(text, SMARTPHONES) is None


@pytest.mark.parametrize(
    "text, code, guessed",
    [
        ("4", "smartphone_internet", False),
        ("Smartphone avec internet", "smartphone_internet", False),
        ("smartfone avec internet", "smartphone_internet", True),
        ("j'ai un smartphone avec internet", "smartphone_internet", True),
        ("basic", "basic", True),  # the code alone: an author's word, so say what it was taken for
        ("Nrod", None, None),
    ],
)
def test_read_choice_says_when_it_guessed(text, code, guessed):
    reading = read_choice(text, SMARTPHONES)
    if code is None:
        assert reading == read_choice(text, SMARTPHONES) and not reading.indexes
        return
    assert SMARTPHONES[reading.indexes[0]].code == code
    assert reading.guessed is guessed


def test_read_choice_a_whole_label_beats_a_word_of_a_label():
    assert read_choice("nrod", REGIONS).indexes == (0,)
    assert read_choice("nrod", REGIONS).guessed


def test_read_multi_choice_and_yes_no_say_when_they_guessed():
    assert read_multi_choice("1 3", HELPERS).guessed is False
    assert read_multi_choice("famile, amis", HELPERS).guessed is True
    assert read_yes_no("ouii").guessed is True
    assert read_yes_no("oui").guessed is False


@pytest.mark.parametrize("text, expected", [("vingt cinq", True), ("25", False), ("twenty", True), ("1h30", False)])
def test_spells_a_number(text, expected):
    assert spells_a_number(text) is expected
