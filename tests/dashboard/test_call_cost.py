"""The cost preview of inviting people by call: calls x billed minutes x VOICE_PRICE_PER_MINUTE, per language."""

from __future__ import annotations

import re

import pytest

URL = "/dashboard/access-barriers/calls/cost"


def cells(page: str) -> list[list[str]]:
    """The text of each row of the costs table."""
    table = page.split('<table id="call-costs">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def test_the_preview_multiplies_calls_by_billed_minutes_and_the_price(analyst):
    response = analyst.get(URL + "?calls=250&lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = cells(page)
    # The shipped flow: 13 questions on a call (the comment is passed over), 4 billed minutes at 0.20 USD.
    assert [row[0] for row in rows] == ["fr", "en"]
    assert all(row[1] == "13" and row[3] == "4" and row[4] == "0.80 USD" and row[5] == "200.00 USD" for row in rows)
    assert re.fullmatch(r"3 min \d\d s", rows[0][2])
    assert "Cost of 250 calls" in page and "VOICE_PRICE_PER_MINUTE" in page
    total = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.split('id="call-cost-total"', 1)[1].split("</p>", 1)[0]))
    assert total.strip().endswith("200.00 USD at most, to call 250 people who all answer to the end: 4 billed minutes a call.")
    assert "python app.py invite access-barriers --numbers FILE.csv --channel voice" in page


def test_the_price_and_currency_come_from_the_settings(analyst, app, settings):
    app.extensions["palabre.config"] = settings.replace(VOICE_PRICE_PER_MINUTE=150.0, SMS_PRICE_CURRENCY="XOF")
    rows = cells(analyst.get(URL + "?calls=1000&lang=fr").get_data(as_text=True))
    assert rows[0][4] == "600.00 XOF" and rows[0][5] == "600,000.00 XOF"


@pytest.mark.parametrize("calls", ["-3", "abc", "1e9", "99999999999", ""])
def test_a_bad_number_of_calls_is_said_never_a_500(analyst, calls):
    response = analyst.get(URL, query_string={"calls": calls, "lang": "en"})
    assert response.status_code == 422
    assert "Give the number of people to call as a whole number" in response.get_data(as_text=True)


def test_the_preview_is_for_officials_only_and_linked_from_the_consultation(client, analyst):
    assert client.get(URL).status_code in (302, 401)
    assert URL in analyst.get("/dashboard/access-barriers?lang=en").get_data(as_text=True)


def test_the_preview_is_in_french(analyst):
    page = analyst.get(URL + "?lang=fr").get_data(as_text=True)
    assert "Coût des appels" in page and "Minutes facturées" in page and "Coût de 100 appels" in page
