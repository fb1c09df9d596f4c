"""Hubtel's JSON dialect: one input per request, the menu page kept in ClientState, the same conversation."""

from __future__ import annotations

from datetime import timedelta

from fakes.ussd_requests import count_rows, hubtel_payload, post_hubtel, stored_answers
from models import Conversation, InboundMessage, Participant
from palabre.identity import TEL
from palabre.inbound import Inbound, handle_inbound


def send(client, name="response", **fields):
    status, body = post_hubtel(client, hubtel_payload(name, **fields))
    assert status == 200, body
    if body.get("Type") == "response":
        assert len(body["Message"]) <= 182 and body["Message"].isascii()
    return body


def test_a_dial_opens_the_consultation_with_an_input_screen(loaded, client):
    body = send(client, "initiation")
    assert body["Type"] == "response" and body["DataType"] == "input" and body["FieldType"] == "text"
    assert body["SessionId"] == "8d440a43a98b4614b9df22b79c8190b8"
    assert body["Message"].startswith("Mairie: 14 questions") and body["ClientState"] == "page:0"
    assert body["Label"] == "Mairie: 14 questions pour savoir qui..."  # a whole word last, at most 40 characters


def test_a_label_is_cut_on_a_word_boundary_or_kept_whole():
    from bots.ussd_dialects.hubtel import label

    assert label("Langue / Language?\n1 Francais") == "Langue / Language?"
    assert label("Dans quel arrondissement habitez-vous aujourd'hui ?") == "Dans quel arrondissement habitez-vous..."
    assert label("x" * 60) == "x" * 37 + "..."  # one word longer than a label: cut, still marked
    assert all(len(label(text)) <= 40 for text in ["a " * 30, "Mot " * 12, "y" * 41, ""])


def test_a_favorite_opens_the_session_like_a_dial(loaded, client, db):
    """Hubtel's SDK: Favorite is 'a special case of Initiation'; what it carries is never taken as an answer."""
    body = send(client, "favorite")
    assert body["Type"] == "response" and body["Message"].startswith("Mairie: 14 questions")
    session_id = hubtel_payload("favorite")["SessionId"]
    reply = send(client, SessionId=session_id, Message="2", Sequence=2)
    assert reply["Message"].startswith("Your answers stay anonymous")
    assert stored_answers(db) == {"lang": "en"}


def test_a_query_gets_a_short_release_and_records_nothing(loaded, client, db):
    """Hubtel's SDK: Query is 'an API request to query for some data', not a citizen's session."""
    body = send(client, "query")
    assert body["Type"] == "release" and body["DataType"] == "display"
    assert 0 < len(body["Message"]) <= 182 and body["Message"].isascii() and len(body["Label"]) <= 40
    assert count_rows(db, InboundMessage) == 0 and count_rows(db, Participant) == 0


def test_answers_arrive_one_per_request_and_retries_change_nothing(loaded, client, db):
    send(client, "initiation")
    first = send(client, Message="2", Sequence=2)
    assert first["Message"].startswith("Your answers stay anonymous")
    assert send(client, Message="2", Sequence=2) == first  # Hubtel retried
    send(client, Message="1", Sequence=3)
    assert stored_answers(db) == {"lang": "en", "consent": "yes"}
    assert count_rows(db, InboundMessage) == 3


def test_a_star_in_a_hubtel_input_is_just_a_character(loaded, client, db):
    send(client, "initiation")
    send(client, Message="1", Sequence=2)
    send(client, Message="1", Sequence=3)
    reply = send(client, Message="Nord*", Sequence=4)
    assert reply["Message"].startswith("Vous etes")
    assert stored_answers(db)["district"] == "nord"


def test_the_page_travels_in_client_state(long_menu, client, db):
    send(client, "initiation")
    second = send(client, Message="98", Sequence=2, ClientState="page:0")
    assert second["ClientState"] == "page:1" and "0 Retour" in second["Message"]
    third = send(client, Message="98", Sequence=3, ClientState="page:1")
    assert third["ClientState"] == "page:2" and "14 Ailleurs" in third["Message"]
    back = send(client, Message="0", Sequence=4, ClientState="page:2")
    assert back == second
    answered = send(client, Message="14", Sequence=5, ClientState="page:1")
    assert answered["Message"].startswith("Quel age") and answered["ClientState"] == "page:0"
    assert stored_answers(db) == {"commune": "ailleurs"}


def test_release_and_timeout_are_acknowledged_and_record_nothing(loaded, client, db):
    send(client, "initiation")
    for kind, sequence in (("Release", 3), ("Timeout", 3), ("release", None)):
        body = send(client, "release", Type=kind, Sequence=sequence)
        assert body["Type"] == "release" and body["DataType"] == "display"
    assert count_rows(db, InboundMessage) == 1


def test_the_end_of_the_conversation_releases_the_session(loaded, client):
    send(client, "initiation")
    send(client, Message="1", Sequence=2)
    body = send(client, Message="2", Sequence=3)  # declines
    assert body["Type"] == "release" and body["Message"].startswith("Merci.") and body["ClientState"] == ""


def test_a_hubtel_caller_is_the_same_citizen_as_by_sms(loaded, client, db, settings, now):
    with db.session() as session:
        handle_inbound(session, settings, Inbound("sms", TEL, "+447700900201", "AVIS"), now - timedelta(minutes=5))
        session.commit()
    assert send(client, "initiation")["Message"].startswith("Reprise la ou vous en etiez.")
    assert count_rows(db, Conversation) == 1


def test_malformed_hubtel_requests_get_400(loaded, client, db):
    cases = [
        (b"not json", "the body must be a JSON object"),
        (b"[1, 2]", "the body must be a JSON object"),
        (b'{"Type": "Response", "Mobile": "447700900201", "Sequence": 2}', "missing field SessionId"),
    ]
    for body, message in cases:
        response = client.post("/ussd/hubtel?secret=test-ussd-secret", data=body, content_type="application/json")
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    for fields, message in [({"Sequence": "two"}, "Sequence must be a number"), ({"Sequence": 0}, "out of range"),
                            ({"Type": "AddToCart"}, "unknown Type"), ({"Mobile": None}, "missing field Mobile"),
                            ({"SessionId": ["x"]}, "must be a string"), ({"Sequence": True}, "must be a string")]:
        status, _ = post_hubtel(client, hubtel_payload("response", **fields))
        assert status == 400, (fields, message)
    assert count_rows(db, InboundMessage) == 0


def test_hubtel_needs_the_secret_too(loaded, client):
    status, _ = post_hubtel(client, hubtel_payload("initiation"), secret=None)
    assert status == 403
