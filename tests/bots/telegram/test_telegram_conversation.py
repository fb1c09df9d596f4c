"""The shipped consultation, answered from start to end through the webhook, as a Telegram user would."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from sqlalchemy import select

from fakes.telegram_updates import USER_ID, Citizen, answers, texts_to
from models import Consultation, Conversation, Participant, utcnow
from palabre.exports.table import write_csv
from palabre.inbound import Inbound, handle_inbound
from palabre.identity import TEL

PHONE = "+447700900001"  # Ofcom's drama range: never a real person

# (what the citizen does, the buttons the question they answer showed, or "typed" when it had none)
FRENCH_BY_BUTTONS = [
    ("tap", "Francais", ["Francais", "English"]),
    ("tap", "Oui", ["Oui", "Non"]),
    ("tap", "Nord", ["1. Centre", "2. Nord", "3. Sud", "4. Est", "5. Ouest"]),
    ("tap", "Une femme", ["1. Une femme", "2. Un homme", "3. Autre / ne pas dire"]),
    ("say", "34", "typed"),
    ("tap", "Un peu", ["1. Non", "2. Un peu", "3. Beaucoup", "4. Impossible"]),
    ("say", "1h30", "typed"),
    ("tap", "Environ 1/2 jour de revenu", ["1. Presque rien", "2. Moins d'1/4 de jour de revenu",
                                          "3. Environ 1/2 jour de revenu", "4. 1 jour ou plus"]),
    ("say", "3", "typed"),
    ("tap", "1 à 3 mois", ["1. Moins d'une semaine", "2. 1 à 4 semaines", "3. 1 à 3 mois", "4. Plus de 3 mois"]),
    ("tap", "Smartphone avec internet", ["1. Aucun", "2. Téléphone simple", "3. Smartphone sans internet",
                                        "4. Smartphone avec internet"]),
    ("tap", "Famille ou amis", ["☐ 1. Famille ou amis", "☐ 2. Une association", "☐ 3. Un agent public",
                                "☐ 4. Personne", "✅ Valider"]),
    ("tap", "Un agent public", None),  # the same keyboard, redrawn with box 1 ticked
    ("tap", "Valider", None),
    ("tap", "Telegram ou messagerie", ["1. SMS", "2. Appel ou menu *123#", "3. Telegram ou messagerie",
                                      "4. En personne au bureau", "5. Radio ou crieur"]),
    ("say", "Plus de bus le samedi", "typed"),
]


def answer_all(citizen: Citizen, fake, steps) -> None:
    for action, value, shown in steps:
        if shown == "typed":
            assert fake.sent[-1].markup == {"remove_keyboard": True}, fake.sent[-1].params["text"]
        elif shown is not None:
            assert [b["text"] for b in citizen.last_keyboard_message().buttons] == shown
        response = citizen.tap(value) if action == "tap" else citizen.says(value)
        assert response.status_code == 200


def test_a_citizen_completes_the_shipped_consultation_with_buttons_and_appears_in_the_export(citizen, db, fake_telegram, caplog):
    caplog.set_level(logging.DEBUG)
    citizen.says("/start")
    answer_all(citizen, fake_telegram, FRENCH_BY_BUTTONS)

    assert texts_to(fake_telegram)[-1].startswith("Merci ! Vos réponses nous aident")
    assert fake_telegram.sent[-1].markup == {"remove_keyboard": True}
    assert answers(db) == {
        "lang": "fr", "consent": "yes", "district": "nord", "gender": "female", "age": 34, "disability": "some",
        "travel_minutes": 90, "visit_cost": "half_day", "visits_needed": 3, "wait": "quarter",
        "phone": "smartphone_internet", "helper": ["family", "agent"], "contact_channel": "telegram",
        "comment": "Plus de bus le samedi",
    }
    ticks = [[b["text"][0] for b in call.buttons[:4]] for call in fake_telegram.called("editMessageReplyMarkup")]
    assert ticks == [["☑", "☐", "☐", "☐"], ["☑", "☐", "☑", "☐"]]
    assert len(fake_telegram.called("answerCallbackQuery")) == sum(action == "tap" for action, _, _ in FRENCH_BY_BUTTONS)
    assert all(len(b["callback_data"].encode()) <= 64 for call in fake_telegram.sent for b in call.buttons)

    with db.session() as session:
        out = io.StringIO()
        write_csv(session, session.scalar(select(Consultation)), out)
    header, row = out.getvalue().splitlines()
    record = dict(zip(header.split(","), row.split(",")))
    assert record["channel"] == "telegram" and record["status"] == "completed" and record["language"] == "fr"
    assert record["helper"] == "family agent" and record["travel_minutes"] == "90"
    assert str(USER_ID) not in out.getvalue()
    assert str(USER_ID) not in caplog.text and "Awa" not in caplog.text


def test_a_telegram_user_who_shares_an_sms_participants_number_continues_that_conversation(
        citizen, db, settings, fake_telegram, caplog):
    caplog.set_level(logging.DEBUG)
    with db.session() as session:  # the same person answered three questions by SMS this morning
        for i, text in enumerate(["AVIS", "2", "yes", "north"]):
            handle_inbound(session, settings, Inbound("sms", TEL, PHONE, text), utcnow() - timedelta(hours=3) + timedelta(minutes=i))
        session.commit()
        sms_pseudonym = session.scalar(select(Participant.pseudonym))
    citizen.says("/start")
    assert citizen.share_contact(PHONE.lstrip("+")).status_code == 200

    reply = fake_telegram.sent[-1]
    assert reply.params["text"].startswith("Thank you, your number is linked to your answers.\n\nPicking up where you left off.")
    assert reply.params["text"].endswith("You are:")
    assert [b["text"] for b in reply.buttons] == ["1. A woman", "2. A man", "3. Other / prefer not to say"]
    citizen.tap("A man")
    with db.session() as session:
        [participant] = session.scalars(select(Participant)).all()
        [conversation] = session.scalars(select(Conversation)).all()
    assert participant.pseudonym == sms_pseudonym
    assert conversation.current_question == "age" and conversation.channel == "sms"
    assert answers(db) == {"lang": "en", "consent": "yes", "district": "nord", "gender": "male"}
    assert PHONE not in caplog.text and PHONE.lstrip("+") not in caplog.text and str(USER_ID) not in caplog.text


def test_a_shared_number_with_no_match_is_attached_and_the_conversation_goes_on(citizen, db, fake_telegram):
    citizen.says("/start")
    citizen.tap("English")
    citizen.share_contact("+447700900002")
    text = texts_to(fake_telegram)[-1]
    assert text.startswith("Thank you, your number is linked") and text.endswith("Do you agree to answer?")
    with db.session() as session:
        assert [a.scheme for a in session.scalar(select(Participant)).addresses] == ["telegram", TEL]


def test_someone_elses_contact_card_is_not_linked(citizen, db, fake_telegram):
    citizen.says("/start")
    citizen.share_contact("447700900002", owner=USER_ID + 1)
    assert texts_to(fake_telegram)[-1].startswith("Merci de partager votre propre numéro")
    with db.session() as session:
        assert [a.scheme for a in session.scalar(select(Participant)).addresses] == ["telegram"]
