"""`outbox retry`: with no RQ worker (REDIS_URL unset), a send that failed for now is retried with backoff, once due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from fakes.twilio_requests import CITIZEN as PHONE, FROM_NUMBER
from models import OutboundMessage, utcnow
from palabre.identity import TEL
from palabre.inbound import find_or_create_participant
from workers.send import SEND_RETRY_INTERVALS, queue_send



def first_try(app, message_id: int) -> None:
    with app.app_context():
        queue_send(message_id)


def let_time_pass(db, message_id: int) -> None:
    """Bring the retry time to now, as if the backoff had elapsed."""
    with db.session() as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id == message_id).values(next_attempt_at=utcnow()))
        session.commit()


def test_a_temporary_failure_is_retried_once_due_and_sent_once(app, db, runner, queued, fake_twilio):
    fake_twilio.fail_next(1, "500")
    before = utcnow()
    first_try(app, queued.id)
    message = queued()
    assert (message.status, message.attempts) == ("queued", 1)
    assert before + timedelta(seconds=SEND_RETRY_INTERVALS[0] - 1) <= message.next_attempt_at <= utcnow() + timedelta(seconds=SEND_RETRY_INTERVALS[0])

    early = runner.invoke(args=["outbox", "retry"])
    assert early.exit_code == 0, early.output
    assert "0 due messages handed to the send job, 1 still waiting for a retry" in early.output
    assert fake_twilio.attempts == 1, "not before the backoff is over"

    let_time_pass(db, queued.id)
    due = runner.invoke(args=["outbox", "retry"])
    assert due.exit_code == 0, due.output
    assert "1 due messages handed to the send job." in due.output
    assert (queued().status, queued().next_attempt_at) == ("sent", None)
    assert len(fake_twilio.sent) == 1 and fake_twilio.sent[0].to == PHONE and fake_twilio.sent[0].form["From"] == FROM_NUMBER

    again = runner.invoke(args=["outbox", "retry"])
    assert "0 due messages" in again.output and len(fake_twilio.sent) == 1, "never a second send"


def test_the_backoff_grows_then_gives_up_for_good(app, db, runner, queued, fake_twilio):
    fake_twilio.fail_next(len(SEND_RETRY_INTERVALS) + 2, "503")
    first_try(app, queued.id)
    waits = []
    for _ in SEND_RETRY_INTERVALS:
        message = queued()
        waits.append(round((message.next_attempt_at - utcnow()).total_seconds()))
        let_time_pass(db, queued.id)
        assert runner.invoke(args=["outbox", "retry"]).exit_code == 0
    assert waits == [pytest.approx(s, abs=2) for s in SEND_RETRY_INTERVALS]
    message = queued()
    assert message.status == "failed" and message.error.startswith(f"gave up after {len(SEND_RETRY_INTERVALS) + 1} attempts")
    assert fake_twilio.attempts == len(SEND_RETRY_INTERVALS) + 1
    assert "0 due messages" in runner.invoke(args=["outbox", "retry"]).output


def test_a_retry_is_never_sent_to_someone_who_opted_out_meanwhile(app, db, runner, queued, fake_twilio, now):
    fake_twilio.fail_next(1, "429")
    first_try(app, queued.id)
    with db.session() as session:
        find_or_create_participant(session, "test-pseudonym-key", TEL, PHONE, now).opted_out_at = now
        session.commit()
    let_time_pass(db, queued.id)
    runner.invoke(args=["outbox", "retry"])
    assert queued().status == "skipped" and fake_twilio.sent == []


def test_wait_stays_until_the_retry_is_due(app, db, runner, queued, fake_twilio, monkeypatch):
    monkeypatch.setattr("workers.send.SEND_RETRY_INTERVALS", [1, 1, 1, 1, 1])
    fake_twilio.fail_next(2, "500")
    first_try(app, queued.id)
    result = runner.invoke(args=["outbox", "retry", "--wait"])
    assert result.exit_code == 0, result.output
    assert "1 waiting; the next is due in" in result.output
    assert queued().status == "sent" and queued().attempts == 3 and len(fake_twilio.sent) == 1


def test_status_counts_messages_without_saying_who_they_are_for(app, runner, queued, fake_twilio):
    fake_twilio.fail_next(1, "500")
    first_try(app, queued.id)
    result = runner.invoke(args=["outbox", "status"])
    assert result.exit_code == 0
    assert "queued" in result.output and "1 failed for now and will be tried again" in result.output
    assert PHONE not in result.output and PHONE[-6:] not in result.output
