"""Two records of one person become one: a Telegram user links the phone they answered by SMS with."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from flows.loader import check_flow_text
from models import Answer, ChannelAddress, Consultation, Conversation, InboundMessage, Invitation, OutboundMessage, Participant
from palabre.consultations import upsert_consultation
from palabre.identity import TEL, TELEGRAM, address_hash
from palabre.inbound import Inbound, find_or_create_participant, handle_inbound
from palabre.participants import link_address, merge_participants
from palabre.config import ROOT

PHONE, CHAT = "+447700900001", "5550001234"


@pytest.fixture
def send(loaded, db, settings, now):
    """Send one message as a citizen, SMS by default; each call is its own transaction."""
    clock = {"now": now}

    def _send(text, address=PHONE, channel="sms", scheme=TEL, **extra):
        clock["now"] += timedelta(seconds=60)
        with db.session() as session:
            outcome = handle_inbound(session, settings, Inbound(channel, scheme, address, text, **extra), clock["now"])
            session.commit()
        return outcome

    _send.clock = clock
    return _send


def telegram(send, text):
    return send(text, address=CHAT, channel="telegram", scheme=TELEGRAM)


def link_phone(db, settings, now, phone=PHONE) -> int:
    with db.session() as session:
        participant = find_or_create_participant(session, settings.PSEUDONYM_KEY, TELEGRAM, CHAT, now)
        kept = link_address(session, settings.PSEUDONYM_KEY, participant.id, TEL, phone, now)
        session.commit()
    return kept


def rows(db, model, *where):
    with db.session() as session:
        return list(session.scalars(select(model).where(*where)))


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_new_phone_is_attached_and_later_sms_reach_the_same_participant(send, db, settings, now):
    telegram(send, "/start")
    kept = link_phone(db, settings, now)
    assert {a.scheme for a in rows(db, ChannelAddress, ChannelAddress.participant_id == kept)} == {TEL, TELEGRAM}
    by_sms = send("1")  # answers the Telegram conversation's first question
    assert by_sms.participant_id == kept and count(db, Conversation) == 1


def test_a_known_phone_merges_the_telegram_record_into_the_phone_one(send, db, settings, now):
    for text in ("AVIS", "2", "yes", "north"):
        sms = send(text)
    telegram(send, "/start")
    assert count(db, Participant) == 2
    kept = link_phone(db, settings, now)
    assert kept == sms.participant_id and count(db, Participant) == 1
    assert {(a.scheme, a.participant_id) for a in rows(db, ChannelAddress)} == {(TEL, kept), (TELEGRAM, kept)}
    # Both were answering the same consultation: the SMS one went further, so it is the one that goes on.
    [conversation] = rows(db, Conversation)
    assert conversation.channel == "sms" and conversation.current_question == "gender"
    resumed = telegram(send, "2")  # "2" answers gender, from Telegram
    assert resumed.conversation_id == conversation.id
    assert {a.question_id for a in rows(db, Answer)} == {"lang", "consent", "district", "gender"}


def test_when_the_telegram_conversation_went_further_it_is_the_one_kept(send, db, settings, now):
    send("AVIS")
    for text in ("/start", "1", "oui", "nord", "femme"):
        telegram(send, text)
    kept = link_phone(db, settings, now)
    [conversation] = rows(db, Conversation)
    assert conversation.channel == "telegram" and conversation.participant_id == kept
    assert conversation.current_question == "age"
    assert {a.question_id for a in rows(db, Answer)} == {"lang", "consent", "district", "gender"}


def test_a_tie_keeps_the_phone_participants_conversation(send, db, settings, now):
    send("AVIS")
    telegram(send, "/start")
    link_phone(db, settings, now)
    [conversation] = rows(db, Conversation)
    assert conversation.channel == "sms"


def test_conversations_of_different_consultations_are_both_kept(send, db, settings, now):
    text = (ROOT / "flows" / "library" / "access_barriers.yaml").read_text()
    text = text.replace("id: access-barriers", "id: water-points").replace("[AVIS, SURVEY, SONDAGE, ENQUETE]", "[EAU]")
    flow, problems = check_flow_text(text)
    assert flow is not None, problems
    with db.session() as session:
        upsert_consultation(session, flow, text)
        session.commit()
    send("EAU")
    telegram(send, "AVIS")
    link_phone(db, settings, now)
    slugs = {c.consultation.slug for c in rows(db, Conversation)}
    assert slugs == {"water-points", "access-barriers"} and len({c.participant_id for c in rows(db, Conversation)}) == 1


def test_messages_and_invitations_move_and_a_shared_invitation_is_kept_once(send, db, settings, now):
    send("AVIS", external_id="SM1")
    telegram(send, "/start")
    with db.session() as session:
        consultation = session.scalar(select(Consultation))
        for participant in session.scalars(select(Participant)):
            session.add(Invitation(consultation_id=consultation.id, participant_id=participant.id, channel="sms"))
        session.add(OutboundMessage(participant_id=participant.id, channel="telegram", text="hi", status="sent"))
        session.commit()
    kept = link_phone(db, settings, now)
    assert [i.participant_id for i in rows(db, Invitation)] == [kept]
    assert {m.participant_id for m in rows(db, OutboundMessage)} == {kept}
    assert {m.participant_id for m in rows(db, InboundMessage)} == {kept}


@pytest.mark.parametrize("who_stopped", ["sms", "telegram"])
def test_an_opt_out_on_either_side_is_kept(send, db, settings, now, who_stopped):
    send("AVIS")
    telegram(send, "/start")
    if who_stopped == "sms":
        send("STOP")
    else:
        telegram(send, "/stop")
    link_phone(db, settings, now)
    [participant] = rows(db, Participant)
    assert participant.opted_out
    assert telegram(send, "1").events == [] and send("1").events == []


def test_linking_a_phone_the_participant_already_has_changes_nothing(send, db, settings, now):
    telegram(send, "/start")
    first = link_phone(db, settings, now)
    assert link_phone(db, settings, now) == first and count(db, ChannelAddress) == 2


def test_a_participant_cannot_be_merged_into_itself(send, db, settings, now):
    telegram(send, "/start")
    [participant] = rows(db, Participant)
    with db.session() as session, pytest.raises(ValueError):
        merge_participants(session, participant.id, participant.id, now)


def test_the_phone_is_looked_up_by_its_keyed_hash(send, db, settings, now):
    link_phone(db, settings, now)
    [address] = rows(db, ChannelAddress, ChannelAddress.scheme == TEL)
    assert address.address_hash == address_hash(settings.PSEUDONYM_KEY, TEL, PHONE)
