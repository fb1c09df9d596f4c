"""An SMS answered mid-conversation, through the webhook: few statements, the reply recorded with the turn."""

from __future__ import annotations

from sqlalchemy import select

from models import OutboundMessage
from tests.palabre.test_inbound_statements import statements


def test_an_answer_through_the_webhook_records_its_reply_with_the_turn(sms, db):
    sms("AVIS")
    with statements(db) as seen:
        response, replies = sms("1")
    assert response.status_code == 200 and replies
    if db.is_sqlite:
        assert seen == ["SELECT participants.id, conversations.id", "INSERT INTO inbound_messages", "INSERT INTO answers",
                        "UPDATE conversations SET", "INSERT INTO outbound_messages"], seen
    else:  # the sender locked and the message recorded; then the answer, the reply and the conversation
        assert seen == ["WITH live AS", "WITH answer AS"], seen
    with db.session() as session:
        stored = session.scalars(select(OutboundMessage.text).order_by(OutboundMessage.id)).all()
        inline = session.scalars(select(OutboundMessage.status).distinct()).all()
    assert stored[-len(replies):] == replies and inline == [OutboundMessage.INLINE]


def test_a_first_contact_records_its_reply_too(sms, db):
    response, replies = sms("AVIS")
    assert response.status_code == 200 and replies
    with db.session() as session:
        rows = session.execute(select(OutboundMessage.text, OutboundMessage.inbound_id, OutboundMessage.conversation_id)).all()
    assert [text for text, _, _ in rows] == replies and all(inbound and conversation for _, inbound, conversation in rows)
