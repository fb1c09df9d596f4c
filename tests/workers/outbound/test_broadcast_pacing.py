"""A broadcast through RQ goes out at each channel's pace, and `outbox retry` keeps that pace."""

from __future__ import annotations

import os

import pytest
import redis
from rq.job import Job
from sqlalchemy import select

from models import Action, Broadcast, Consultation, OutboundMessage
from workers.broadcast import SENDS_PER_SECOND, fan_out
from workers.send import job_id

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.mark.parametrize("mode", ["rq"])
def test_each_message_is_due_at_its_turn_and_retry_does_not_send_them_all_at_once(app, db, runner, mode, scheduled, fake_twilio):
    assert runner.invoke(args=["demo", "--no-serve", "--citizens", "40"]).exit_code == 0
    with db.session() as session:
        consultation = session.scalar(select(Consultation))
        action = Action(consultation_id=consultation.id, title={"fr": "Bureau mobile", "en": "Mobile office"},
                        description={"fr": "Le mardi", "en": "On Tuesdays"}, groups=[])
        session.add(action)
        session.flush()
        broadcast = Broadcast(action_id=action.id, text={"fr": "Vous avez dit, nous faisons.", "en": "You said, we did."},
                              form_key="pacing")
        session.add(broadcast)
        session.commit()
        broadcast_id = broadcast.id
    with app.app_context():
        queued = fan_out(broadcast_id)
    with db.session() as session:
        messages = session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "feedback")).all()
    assert queued == len(messages) > 3

    sms = sorted(m.next_attempt_at for m in messages if m.channel == "sms")
    gap = 1 / SENDS_PER_SECOND["sms"]
    assert len(sms) > 3 and all((later - earlier).total_seconds() >= gap - 0.01 for earlier, later in zip(sms, sms[1:]))
    jobs = dict(scheduled())
    for message in messages:  # the database says when each is due, as RQ's schedule does
        assert abs((jobs[job_id(message.id)] - message.next_attempt_at).total_seconds()) < 1

    result = runner.invoke(args=["outbox", "retry"])
    assert "0 due messages handed" in result.output, "RQ holds every job: nothing is handed over twice"

    first = min((m for m in messages if m.channel == "sms"), key=lambda m: m.next_attempt_at)
    Job(job_id(first.id), connection=redis.Redis.from_url(TEST_REDIS_URL)).delete()  # its job lost (Redis flushed)
    result = runner.invoke(args=["outbox", "retry"])
    assert "1 due messages handed" in result.output, "the lost one, due already; the others wait for their turn"
    assert fake_twilio.attempts == 0, "with RQ, retry hands messages to the workers; it sends nothing itself"
