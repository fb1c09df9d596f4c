"""Africa's Talking USSD over HTTP: whole sessions, retries, resume across sessions and channels, paging."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from fakes.ussd_requests import DATA, AtSession, count_rows, stored_answers
from models import Conversation, InboundMessage, OutboundMessage
from palabre.consultations import get_consultation
from palabre.exports.table import write_csv
from palabre.identity import TEL, pseudonym
from palabre.inbound import Inbound, handle_inbound

SESSIONS = {lang: json.loads((DATA / "africastalking" / f"session_{lang}.json").read_text()) for lang in ("fr", "en")}


def assert_screen(reply) -> None:
    assert reply.status == 200, reply.body
    assert reply.body.startswith(("CON ", "END ")), reply.body
    assert len(reply.screen) <= 182 and reply.screen.isascii(), reply.screen


def export_rows(db) -> list[dict]:
    out = io.StringIO()
    with db.session() as session:
        write_csv(session, get_consultation(session, "access-barriers"), out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_a_first_dial_starts_the_open_consultation_with_a_numbered_menu(dial):
    reply = dial().dial()
    assert_screen(reply)
    assert reply.body.startswith("CON Mairie: 14 questions")
    assert reply.screen.endswith("Langue / Language?\n1 Francais\n2 English")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_whole_session_completes_the_consultation_and_appears_in_the_export(dial, db, lang):
    case = SESSIONS[lang]
    citizen = dial()
    assert_screen(citizen.dial())
    for text in case["inputs"]:
        reply = citizen.send(text)
        assert_screen(reply)
        assert not reply.end or text == case["inputs"][-1], (text, reply.body)
    assert reply.body == case["last_screen"]
    assert stored_answers(db) == case["answers"]
    [row] = export_rows(db)
    assert (row["channel"], row["language"], row["status"]) == ("ussd", lang, "completed")
    assert row["age"] == str(case["answers"]["age"]) and "+447700900101" not in json.dumps(row)


def test_every_screen_is_stored_as_an_inline_reply_to_its_input(dial, db, settings):
    citizen = dial()
    first = citizen.dial()
    citizen.send("1")
    with db.session() as session:
        screens = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
        keys = session.scalars(select(InboundMessage.external_id).order_by(InboundMessage.id)).all()
    assert [m.text for m in screens][0] == first.screen
    assert {(m.channel, m.status) for m in screens} == {("ussd", "inline")}
    caller = pseudonym(settings.PSEUDONYM_KEY, TEL, citizen.phone)  # keys name the caller, never the number
    assert keys == [f"at/{caller}:{citizen.session_id}:0", f"at/{caller}:{citizen.session_id}:1"]


def test_a_retried_request_gets_the_same_screen_and_changes_nothing(dial, db):
    citizen = dial()
    citizen.dial()
    first = citizen.send("1")
    again = citizen.again()
    assert again == first
    citizen.send("1")
    assert citizen.again().screen.startswith("Dans quel quartier")
    assert stored_answers(db) == {"lang": "fr", "consent": "yes"}
    assert count_rows(db, InboundMessage) == 3 and count_rows(db, OutboundMessage) == 3


def test_a_late_copy_of_an_earlier_request_cannot_overtake(dial, db):
    citizen = dial()
    citizen.dial()
    citizen.send("1")
    citizen.send("1")
    late = AtSession(citizen.client, citizen.phone, citizen.session_id)
    late.inputs = ["1"]
    assert late.again().screen.startswith("Vos reponses restent anonymes")  # what it got the first time
    late.inputs = ["2"]  # a position already handled is the same request, whatever it says
    assert late.again().screen.startswith("Vos reponses restent anonymes")
    assert stored_answers(db) == {"lang": "fr", "consent": "yes"}


def test_a_star_inside_one_free_text_answer_is_kept(dial, db):
    citizen = dial()
    citizen.dial()
    for text in SESSIONS["fr"]["inputs"][:-1]:
        citizen.send(text)
    # The citizen types "Bus*moins cher" as one input: Africa's Talking sends "...*Bus*moins cher".
    citizen.inputs += ["Bus", "moins cher"]
    reply = citizen.again()
    assert reply.end and stored_answers(db)["comment"] == "Bus*moins cher"


def test_a_dropped_session_resumes_by_ussd_at_the_question_where_it_stopped(dial, db):
    citizen = dial()
    citizen.dial()
    for text in ["1", "1", "2"]:
        citizen.send(text)
    redial = dial(session_id="ATUid_redial")
    reply = redial.dial()
    assert reply.body.startswith("CON Reprise la ou vous en etiez.\nVous etes :")
    redial.send("1")
    assert stored_answers(db)["gender"] == "female"
    assert count_rows(db, Conversation) == 1


def test_a_session_started_by_ussd_continues_by_sms_and_back_on_ussd(dial, db, settings, clock):
    citizen = dial()
    citizen.dial()
    citizen.send("2")
    citizen.send("1")  # consent, in English
    with db.session() as session:
        outcome = handle_inbound(session, settings, Inbound("sms", TEL, citizen.phone, "north"), clock())
        session.commit()
    assert [e.question_id for e in outcome.events if hasattr(e, "question_id")][-1] == "gender"
    assert dial(session_id="ATUid_back").dial().body.startswith("CON Picking up where you left off.\nYou are:")
    with db.session() as session:
        assert session.scalar(select(Conversation.channel)) == "ussd"
    assert stored_answers(db) == {"lang": "en", "consent": "yes", "district": "nord"}


def test_sms_first_then_ussd_resumes_the_same_conversation(dial, db, settings, now):
    phone = "+447700900102"
    for step, text in enumerate(["AVIS", "1", "oui"]):
        with db.session() as session:
            handle_inbound(session, settings, Inbound("sms", TEL, phone, text), now - timedelta(minutes=10 - step))
            session.commit()
    reply = dial(phone).dial()
    assert reply.body.startswith("CON Reprise la ou vous en etiez.\nDans quel quartier")
    assert count_rows(db, Conversation) == 1


def test_the_same_number_written_differently_is_the_same_citizen(dial, db, settings, now):
    with db.session() as session:
        handle_inbound(session, settings, Inbound("sms", TEL, "+447700900103", "AVIS"), now - timedelta(minutes=5))
        session.commit()
    assert dial("+44 7700 900103").dial().body.startswith("CON Reprise")


def test_declining_ends_the_session(dial):
    citizen = dial()
    citizen.dial()
    citizen.send("1")
    reply = citizen.send("2")
    assert reply.end and reply.screen.startswith("Merci. Nous n'enregistrons rien de plus.")


def test_stop_ends_the_session_and_a_later_dial_is_told_how_to_come_back(dial, db):
    citizen = dial()
    citizen.dial()
    citizen.send("1")
    assert citizen.send("STOP").end
    reply = dial(session_id="ATUid_after_stop").dial()
    assert reply.end and "START" in reply.screen
    assert stored_answers(db) == {"lang": "fr"}
    assert count_rows(db, OutboundMessage, OutboundMessage.text.contains("START par SMS")) == 0


def test_a_completed_conversation_answers_end(dial):
    citizen = dial()
    citizen.dial()
    for text in SESSIONS["en"]["inputs"]:
        reply = citizen.send(text)
    assert reply.end
    assert citizen.again().end  # a retry of the last request ends too


def test_nothing_open_ends_at_once(app, client, db):
    reply = AtSession(client).dial()
    assert reply.end and "Aucune consultation" in reply.screen


def test_long_menus_page_and_the_pager_never_reaches_the_engine(long_menu, client, db):
    citizen = AtSession(client)
    first = citizen.dial()
    assert first.body.splitlines()[1:] == [
        "1 Abobo et ses quartiers nord", "2 Adjame pres du grand marche", "3 Attecoube au bord de la lagune",
        "4 Cocody et la Riviera", "98 Suite",
    ]
    second = citizen.send("98")
    assert second.body.splitlines() == [
        "CON Dans quelle commune habitez-vous ?", "5 Koumassi pres du port", "6 Marcory et la zone 4",
        "7 Le Plateau des affaires", "8 Port-Bouet pres de l'aeroport", "98 Suite", "0 Retour",
    ]
    assert citizen.again() == second  # a retried pager request draws the same page
    third = citizen.send("98")
    assert third.body.splitlines()[1] == "9 Treichville et le vieux port" and third.body.endswith("14 Ailleurs\n0 Retour")
    assert citizen.send("0") == second
    reply = citizen.send("7")  # a choice shown on page 2, by its own number
    assert reply.body == "CON Quel age avez-vous ?"
    assert stored_answers(db) == {"commune": "plateau"}
    assert count_rows(db, InboundMessage) == 2  # the dial and the answer: pager keys are not stored


@pytest.mark.parametrize("age", ["98", "0"])
def test_98_and_0_are_answers_where_no_pager_is_shown(long_menu, client, db, age):
    citizen = AtSession(client)
    citizen.dial()
    citizen.send("1")
    citizen.send(age)
    assert stored_answers(db)["age"] == int(age)


def test_a_late_pager_request_redraws_where_things_stand(long_menu, client, db):
    citizen = AtSession(client)
    citizen.dial()
    citizen.send("98")
    citizen.send("7")
    late = AtSession(client, citizen.phone, citizen.session_id)
    late.inputs = ["98"]  # older than the answer already handled, and never stored
    reply = late.again()
    assert reply.screen.startswith("Quel age avez-vous ?") and not reply.end
    assert stored_answers(db) == {"commune": "plateau"}
