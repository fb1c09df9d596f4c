"""A broadcast through RQ goes out at each channel's pace, from a real worker, once, and `outbox retry` keeps that pace."""

from __future__ import annotations

import math
import os
from collections import Counter
from datetime import timedelta

import pytest
import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq.job import Job
from sqlalchemy import func, select

from models import Action, Broadcast, Consultation, OutboundMessage, utcnow
from workers import broadcast as broadcast_job
from workers.broadcast import SENDS_PER_SECOND, fan_out, schedule_broadcast
from workers.send import job_id

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def a_broadcast(db, runner) -> int:
    """Forty demo citizens answer; a broadcast to all of them is recorded (not yet fanned out)."""
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
        return broadcast.id


def feedback(db) -> list[OutboundMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "feedback").order_by(OutboundMessage.id)))


def assert_paced(messages: list[OutboundMessage], jobs: dict) -> None:
    """One scheduled send job per message, due when the database says, no channel above its rate in any second."""
    assert set(jobs) == {job_id(m.id) for m in messages}
    for message in messages:
        assert abs((jobs[job_id(message.id)] - message.next_attempt_at).total_seconds()) < 1
    # RQ schedules to the whole second: count the jobs due in each second, per channel.
    per_second = Counter((m.channel, int(jobs[job_id(m.id)].timestamp())) for m in messages)
    for (channel, _second), count in per_second.items():
        assert count <= math.ceil(SENDS_PER_SECOND.get(channel, 1.0)), f"{count} {channel} messages due in one second"
    sms = sorted(m.next_attempt_at for m in messages if m.channel == "sms")
    assert len(sms) > 3 and all((later - earlier).total_seconds() >= 1 / SENDS_PER_SECOND["sms"] - 0.01 for earlier, later in zip(sms, sms[1:]))


@pytest.mark.parametrize("mode", ["rq"])
def test_a_real_worker_fans_out_without_sending_then_each_message_goes_once_at_its_turn(app, db, runner, mode, rq_worker,
                                                                                        scheduled, release_scheduled, fake_twilio):
    broadcast_id = a_broadcast(db, runner)
    with app.app_context():
        schedule_broadcast(broadcast_id)
    rq_worker()  # runs the fan-out; the sends it schedules are not due when its scheduler looked
    messages = feedback(db)
    assert len(messages) > 3 and fake_twilio.attempts == 0, "the fan-out records and schedules; it sends nothing itself"
    assert {m.status for m in messages} == {"queued"}
    assert_paced(messages, dict(scheduled()))

    assert release_scheduled() == len(messages)  # as RQ's scheduler does, each in its turn
    rq_worker()
    sms = [m for m in feedback(db) if m.channel == "sms"]
    assert {m.status for m in sms} == {"sent"}
    assert sorted(s.sid for s in fake_twilio.sent) == sorted(m.external_id for m in sms), "each SMS went out once"


@pytest.mark.parametrize("mode", ["rq"])
def test_a_fan_out_retried_after_a_crash_neither_duplicates_nor_bunches_its_messages(app, db, runner, mode, work, scheduled,
                                                                                     release_scheduled, fake_twilio, monkeypatch):
    broadcast_id = a_broadcast(db, runner)
    real_enqueue, handed = broadcast_job.enqueue, []

    def dies_after_three(*args, **kwargs):
        if len(handed) == 3:
            raise RedisConnectionError("Connection closed by server.")  # the worker or Redis went away mid-way
        handed.append(args)
        return real_enqueue(*args, **kwargs)

    monkeypatch.setattr(broadcast_job, "enqueue", dies_after_three)
    with app.app_context(), pytest.raises(RedisConnectionError):
        fan_out(broadcast_id)
    first = dict(scheduled())
    assert len(first) == 3
    monkeypatch.setattr(broadcast_job, "enqueue", real_enqueue)
    retried_at = utcnow() + timedelta(seconds=10)  # RQ retries a failed fan-out 10 s later
    monkeypatch.setattr(broadcast_job, "utcnow", lambda: retried_at)
    with app.app_context():
        fan_out(broadcast_id)  # RQ's retry of the fan-out job
        fan_out(broadcast_id)  # and once more, after a crash past the last send was scheduled

    messages = feedback(db)
    with db.session() as session:
        people = session.scalar(select(func.count(func.distinct(OutboundMessage.participant_id))).where(OutboundMessage.kind == "feedback"))
    assert len(messages) == people, "one message per recipient"
    jobs = dict(scheduled())
    assert {j: jobs[j] for j in first} == first, "the sends RQ already held keep their time"
    assert_paced(messages, jobs)

    release_scheduled()
    work()
    sms = [m for m in feedback(db) if m.channel == "sms"]
    assert len(fake_twilio.sent) == len(sms) and len({s.to for s in fake_twilio.sent}) == len(sms), "each SMS once"


@pytest.mark.parametrize("mode", ["rq"])
def test_each_message_is_due_at_its_turn_and_retry_does_not_send_them_all_at_once(app, db, runner, mode, scheduled, fake_twilio):
    broadcast_id = a_broadcast(db, runner)
    with app.app_context():
        queued = fan_out(broadcast_id)
    messages = feedback(db)
    assert queued == len(messages) > 3
    assert_paced(messages, dict(scheduled()))

    result = runner.invoke(args=["outbox", "retry"])
    assert "0 due messages handed" in result.output, "RQ holds every job: nothing is handed over twice"

    first = min((m for m in messages if m.channel == "sms"), key=lambda m: m.next_attempt_at)
    Job(job_id(first.id), connection=redis.Redis.from_url(TEST_REDIS_URL)).delete()  # its job lost (Redis flushed)
    result = runner.invoke(args=["outbox", "retry"])
    assert "1 due messages handed" in result.output, "the lost one, due already; the others wait for their turn"
    assert fake_twilio.attempts == 0, "with RQ, retry hands messages to the workers; it sends nothing itself"
