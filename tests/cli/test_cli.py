"""The command line a newcomer and an operator use: init, chat, export, demo."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from models import ChannelAddress, Consultation
from palabre.exports.table import BASE_COLUMNS

FRENCH = ["1", "oui", "nrod", "femme", "67", "2", "1h30", "4", "3", "4", "2", "1 2", "1", "Un bureau mobile"]
ENGLISH = ["English", "yes", "west", "2", "34", "none", "45 min", "1", "1", "week", "smartphone with internet", "4", "3", "SKIP"]


def test_init_creates_the_schema_and_opens_the_library_idempotently(runner, db):
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "consultation access-barriers: opened" in first.output
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0 and "access-barriers: unchanged" in second.output
    with db.session() as session:
        consultations = session.scalars(select(Consultation)).all()
    assert [(c.slug, c.status) for c in consultations] == [("access-barriers", "open")]


def test_chat_completes_the_shipped_consultation_in_french(runner):
    result = runner.invoke(args=["chat"], input="\n".join(FRENCH) + "\n")
    assert result.exit_code == 0, result.output
    assert "Dans quel quartier vivez-vous ?" in result.output
    assert result.output.rstrip().endswith("Résultats publics sous 2 mois.")


def test_chat_completes_it_in_english_over_ussd_in_ascii_screens(runner):
    result = runner.invoke(args=["chat", "--channel", "ussd", "--phone", "+447700900777"], input="\n".join(ENGLISH) + "\n")
    assert result.exit_code == 0, result.output
    screens = [line for line in result.output.splitlines() if line.startswith(("CON ", "END "))]
    assert screens[0].startswith("CON ") and screens[-1].startswith("END Thank you!")
    assert result.output.isascii()


def test_chat_exits_cleanly_at_end_of_input(runner):
    result = runner.invoke(args=["chat"], input="1\noui\n")
    assert result.exit_code == 0
    assert "Dans quel quartier" in result.output


def test_chat_rejects_a_malformed_phone_number(runner):
    result = runner.invoke(args=["chat", "--phone", "not-a-number"])
    assert result.exit_code != 0 and "--phone" in result.output


def test_export_has_one_row_per_conversation_and_no_personal_identifier(runner, db):
    runner.invoke(args=["chat", "--phone", "+447700900321"], input="\n".join(FRENCH) + "\n")
    runner.invoke(args=["chat", "--phone", "+447700900322"], input="2\nyes\n3\n")  # left mid-way
    result = runner.invoke(args=["export", "access-barriers", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    header = result.output.splitlines()[0].split(",")
    assert header[: len(BASE_COLUMNS)] == list(BASE_COLUMNS)
    assert header[len(BASE_COLUMNS):][:3] == ["lang", "consent", "district"]
    assert [r["status"] for r in rows] == ["completed", "active"]
    done = rows[0]
    assert (done["district"], done["gender"], done["age"], done["travel_minutes"], done["helper"]) == ("nord", "female", "67", "90", "family association")
    assert rows[1]["district"] == "sud" and rows[1]["gender"] == ""
    assert "7700900321" not in result.output and "7700900322" not in result.output


def test_export_writes_a_file_and_refuses_an_unknown_slug(runner, tmp_path):
    runner.invoke(args=["init"])
    out = tmp_path / "responses.csv"
    result = runner.invoke(args=["export", "access-barriers", "-o", str(out)])
    assert result.exit_code == 0 and out.read_text().startswith("response_id,participant,")
    missing = runner.invoke(args=["export", "no-such-thing"])
    assert missing.exit_code != 0 and "no consultation 'no-such-thing'" in missing.output


def test_demo_simulates_citizens_whose_export_reveals_no_number(runner, db):
    result = runner.invoke(args=["demo", "--no-serve", "--citizens", "40"])
    assert result.exit_code == 0, result.output
    assert "40 citizens sent" in result.output and "At risk of exclusion" in result.output
    # Phones only, no census target for phone: the terminal says so before the figure, as the pages do.
    assert result.output.index("CAUTION: People without a phone are probably under-represented") < result.output.index("At risk of exclusion (k=")
    assert "with those not reached: " in result.output
    export = runner.invoke(args=["export", "access-barriers"]).output
    rows = list(csv.DictReader(io.StringIO(export)))
    assert len(rows) == 40
    assert {r["channel"] for r in rows} <= {"sms", "ussd", "telegram"}
    with db.session() as session:
        addresses = session.scalars(select(ChannelAddress.address)).all()
    assert len(addresses) == 40
    for address in addresses:
        assert address not in export and address.lstrip("+") not in export
