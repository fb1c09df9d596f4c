"""A USSD session belongs to its caller: two phones sending the same session id never share screens or inputs."""

from __future__ import annotations

from sqlalchemy import select

from fakes.ussd_requests import AtSession, count_rows, hubtel_payload, post_hubtel, stored_answers
from models import Answer, Conversation, InboundMessage, OutboundMessage, Participant, utcnow
from palabre.identity import TEL, pseudonym

# Gateways promise unique session ids, but a buggy or hostile one (or two gateways behind one
# aggregator) can repeat one: each phone must still get its own conversation.
SHARED = "ATUid_shared0001"
AWA, KOFI = "+447700900131", "+447700900132"


def test_two_phones_with_one_africastalking_session_id_each_get_their_own_screens(dial, db, settings):
    awa, kofi = dial(AWA, SHARED), dial(KOFI, SHARED)
    awa.dial()
    assert awa.send("1").screen.startswith("Vos reponses restent anonymes")  # French
    assert kofi.dial().screen.startswith("Mairie: 14 questions")
    assert kofi.send("2").screen.startswith("Your answers stay anonymous")  # English: Kofi's own choice
    assert awa.send("1").screen.startswith("Dans quel quartier")
    assert kofi.send("1").screen.startswith("Which district")
    assert languages(db, settings) == {AWA: "fr", KOFI: "en"}
    assert count_rows(db, Answer) == 4 and count_rows(db, Conversation) == 2


def test_a_retry_from_the_same_phone_still_changes_nothing(dial, db, settings):
    awa, kofi = dial(AWA, SHARED), dial(KOFI, SHARED)
    awa.dial()
    kofi.dial()
    first = kofi.send("2")
    assert kofi.again() == first
    assert awa.send("1").screen.startswith("Vos reponses restent anonymes")
    assert awa.again().screen.startswith("Vos reponses restent anonymes")
    assert languages(db, settings) == {AWA: "fr", KOFI: "en"}
    assert count_rows(db, InboundMessage) == 4 and count_rows(db, OutboundMessage) == 4


def test_two_phones_with_one_hubtel_session_id_each_get_their_own_screens(loaded, client, db, settings):
    def send(phone, name="response", **fields):
        status, body = post_hubtel(client, hubtel_payload(name, SessionId="shared-hubtel-session", Mobile=phone, **fields))
        assert status == 200, body
        return body

    send("447700900131", "initiation")
    send("447700900132", "initiation")
    assert send("447700900131", Message="1", Sequence=2)["Message"].startswith("Vos reponses restent anonymes")
    english = send("447700900132", Message="2", Sequence=2)
    assert english["Message"].startswith("Your answers stay anonymous")
    assert send("447700900132", Message="2", Sequence=2) == english  # Hubtel retried: nothing new
    assert languages(db, settings) == {AWA: "fr", KOFI: "en"}
    assert count_rows(db, InboundMessage) == 4 and count_rows(db, Conversation) == 2


def test_keys_stored_before_callers_were_in_them_answer_for_nobody(dial, db, settings):
    """An inbound row keyed the old way (`at:<session>:<position>`) for this very session is not this caller's."""
    with db.session() as session:
        session.add(InboundMessage(channel="ussd", external_id=f"at:{SHARED}:0", text="", received_at=utcnow()))
        session.add(InboundMessage(channel="ussd", external_id=f"at:{SHARED}:1", text="1", received_at=utcnow()))
        session.commit()
    awa = dial(AWA, SHARED)
    assert awa.dial().screen.startswith("Mairie: 14 questions")
    assert awa.send("2").screen.startswith("Your answers stay anonymous")
    assert stored_answers(db) == {"lang": "en"}
    with db.session() as session:
        keys = session.scalars(select(InboundMessage.external_id).where(InboundMessage.participant_id.is_not(None))).all()
    caller = pseudonym(settings.PSEUDONYM_KEY, TEL, AWA)
    assert sorted(keys) == [f"at/{caller}:{SHARED}:0", f"at/{caller}:{SHARED}:1"]


def test_the_longest_session_id_keeps_whole_keys(dial, db):
    """80 characters of session id, the caller and a position still fit the 128-character key: nothing is cut."""
    citizen = dial(AWA, "S" * 80)
    citizen.dial()
    for text in ["1", "1", "2"]:
        citizen.send(text)
    assert citizen.again().screen.startswith("Vous etes")
    assert stored_answers(db) == {"lang": "fr", "consent": "yes", "district": "nord"}
    with db.session() as session:
        assert {key.rsplit(":", 1)[1] for key in session.scalars(select(InboundMessage.external_id))} == {"0", "1", "2", "3"}


def test_africastalking_numbers_without_a_plus_are_international(dial, db):
    """In some markets Africa's Talking sends `phoneNumber` as '254711XXXYYY': the same citizen as '+254711XXXYYY'."""
    plus = dial("+254711082123")
    plus.dial()
    plus.send("1")
    bare = AtSession(plus.client, "254711082123")
    assert bare.dial().screen.startswith("Reprise la ou vous en etiez.")
    assert count_rows(db, Conversation) == 1


def languages(db, settings) -> dict[str, str]:
    """The language each of our two callers chose, by phone number."""
    phones = {pseudonym(settings.PSEUDONYM_KEY, TEL, phone): phone for phone in (AWA, KOFI)}
    with db.session() as session:
        rows = session.execute(
            select(Participant.pseudonym, Answer.value).join(Conversation, Conversation.participant_id == Participant.id)
            .join(Answer, Answer.conversation_id == Conversation.id).where(Answer.question_id == "lang"))
        return {phones[who]: value for who, value in rows}
