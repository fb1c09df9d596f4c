import pytest

from palabre.sms_segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SegmentCount,
    count_segments,
    non_gsm_characters,
    to_gsm_friendly,
)

EMOJI = "\U0001f600"  # 😀, outside the BMP: a UTF-16 surrogate pair


@pytest.mark.parametrize(
    "text, expected",
    [
        # empty: still one (billed) message
        ("", SegmentCount("GSM-7", 0, 1, 160, 160)),
        # GSM-7: 160 single, 153 per concatenated part
        ("a" * 160, SegmentCount("GSM-7", 160, 1, 160, 0)),
        ("a" * 161, SegmentCount("GSM-7", 161, 2, 153, 145)),
        ("a" * 306, SegmentCount("GSM-7", 306, 2, 153, 0)),
        ("a" * 307, SegmentCount("GSM-7", 307, 3, 153, 152)),
        # extension characters cost 2 septets
        ("€", SegmentCount("GSM-7", 2, 1, 160, 158)),
        ("a" * 158 + "€", SegmentCount("GSM-7", 160, 1, 160, 0)),
        ("a" * 159 + "€", SegmentCount("GSM-7", 161, 2, 153, 145)),
        ("{}[]~\\|^\f€", SegmentCount("GSM-7", 20, 1, 160, 140)),
        # an escape pair never straddles two parts: 152 + [ESC, €] -> the pair opens part 2
        ("a" * 152 + "€" + "a" * 10, SegmentCount("GSM-7", 164, 2, 153, 141)),
        ("a" * 151 + "€" + "a" * 10, SegmentCount("GSM-7", 163, 2, 153, 143)),
        # French accents that ARE in GSM-7
        ("é è à ù É Ç", SegmentCount("GSM-7", 11, 1, 160, 149)),
        ("é" * 160, SegmentCount("GSM-7", 160, 1, 160, 0)),
        # UCS-2: 70 single, 67 per part
        ("ê", SegmentCount("UCS-2", 1, 1, 70, 69)),
        ("ê" * 70, SegmentCount("UCS-2", 70, 1, 70, 0)),
        ("ê" * 71, SegmentCount("UCS-2", 71, 2, 67, 63)),
        ("ê" * 134, SegmentCount("UCS-2", 134, 2, 67, 0)),
        ("ê" * 135, SegmentCount("UCS-2", 135, 3, 67, 66)),
        # one non-GSM character switches the whole message
        ("a" * 69 + "ç", SegmentCount("UCS-2", 70, 1, 70, 0)),
        ("a" * 70 + "’", SegmentCount("UCS-2", 71, 2, 67, 63)),
        # in UCS-2, € is a single code unit
        ("€ê", SegmentCount("UCS-2", 2, 1, 70, 68)),
        # emoji: 2 UTF-16 code units
        (EMOJI, SegmentCount("UCS-2", 2, 1, 70, 68)),
        ("a" * 68 + EMOJI, SegmentCount("UCS-2", 70, 1, 70, 0)),
        ("a" * 69 + EMOJI, SegmentCount("UCS-2", 71, 2, 67, 63)),
        # a surrogate pair never straddles two parts either
        ("a" * 66 + EMOJI + "a" * 10, SegmentCount("UCS-2", 78, 2, 67, 55)),
    ],
)
def test_count_segments(text, expected):
    assert count_segments(text) == expected


def test_real_french_question():
    text = "Bonjour ! Avez-vous accès à l'eau potable à la maison ? Répondez 1 pour oui, 2 pour non."
    assert count_segments(text).encoding == "GSM-7"
    curly = text.replace("'", "’")
    assert count_segments(curly).encoding == "UCS-2"
    assert non_gsm_characters(curly) == ["’"]
    assert count_segments(to_gsm_friendly(curly)) == count_segments(text)


def test_gsm7_table_sizes():
    # 128 code points, of which 0x1B is the escape, not a character.
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize("ch", list("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r"))
def test_gsm7_basic_contains(ch):
    assert ch in GSM7_BASIC


@pytest.mark.parametrize("ch", list("çâêîôûëïœŒÈÀÊ’«»`\t\x1b") + [EMOJI, "\u00a0"])
def test_gsm7_does_not_contain(ch):
    assert ch not in GSM7_BASIC and ch not in GSM7_EXTENSION


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        ("Bonjour à tous", []),
        ("Prix : 5 €", []),
        ("« Forêt » ça va ? Forêt", ["«", "ê", "»", "ç"]),
        ("L’été", ["’"]),
        ("ok " + EMOJI + EMOJI, [EMOJI]),
    ],
)
def test_non_gsm_characters(text, expected):
    assert non_gsm_characters(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("déjà là, où ? É Ç", "déjà là, où ? É Ç"),  # GSM-7 accents kept
        ("« Forêt »", '" Foret "'),
        ("L’hôpital", "L'hopital"),
        ("Ça, ça", "Ça, ca"),  # Ç is GSM-7, ç is not
        ("cœur Œuvre", "coeur OEuvre"),
        ("À l’Île", "A l'Ile"),
        ("Noël, naïf", "Noel, naif"),
        ("“quote” – dash — dash…", '"quote" - dash - dash...'),
        ("1\u202f000\u00a0F", "1 000 F"),
        ("ok " + EMOJI, "ok " + EMOJI),  # nothing close: kept
        ("5 €", "5 €"),
    ],
)
def test_to_gsm_friendly(text, expected):
    assert to_gsm_friendly(text) == expected


def test_to_gsm_friendly_result_is_gsm7_for_french():
    text = "Où êtes-vous ? « Hôpital », « École », « Forêt » — ça s’écrit ainsi."
    assert non_gsm_characters(to_gsm_friendly(text)) == []
