"""Sending a queued SMS through the fake Twilio, inline and by RQ: once, with backoff, never to the opted out."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from fakes.twilio_requests import ACCOUNT_SID, AUTH_TOKEN, CITIZEN as PHONE, FROM_NUMBER
from models import OutboundMessage, Participant
from palabre.config import ROOT
from workers.queue import Queues
from workers.send import SEND_RETRY_INTERVALS, job_id, queue_send



def send(app, message_id: int) -> None:
    with app.app_context():
        queue_send(message_id)


def opt_out(db) -> None:
    with db.session() as session:
        session.scalar(select(Participant)).opted_out_at = datetime(2026, 3, 1, tzinfo=timezone.utc)
        session.commit()


def test_a_queued_message_is_sent_once(app, mode, work, queued, fake_twilio):
    send(app, queued.id)
    assert fake_twilio.attempts == (1 if mode == "inline" else 0), "RQ sends only once a worker runs"
    work()
    message = queued()
    [sent] = fake_twilio.sent
    assert (sent.to, sent.body, sent.form["From"]) == (PHONE, "Bonjour, votre avis ?", FROM_NUMBER)
    assert (message.status, message.external_id, message.attempts) == ("sent", sent.sid, 1)
    send(app, queued.id)  # queued again by mistake: already handled
    work()
    assert len(fake_twilio.sent) == 1


def test_nothing_is_sent_to_someone_who_opted_out_after_it_was_queued(app, db, mode, work, queued, fake_twilio):
    opt_out(db)
    send(app, queued.id)
    work()
    assert fake_twilio.attempts == 0
    assert (queued().status, queued().error) == ("skipped", "participant opted out")


def test_a_recipient_twilio_knows_as_unsubscribed_is_opted_out_here_too(app, db, mode, work, queued, fake_twilio):
    fake_twilio.fail_next(1, "21610")
    send(app, queued.id)
    work()
    assert queued().status == "failed" and "21610" in queued().error
    with db.session() as session:
        assert session.scalar(select(Participant)).opted_out


def test_a_refused_message_fails_for_good_without_a_retry(app, mode, work, queued, fake_twilio, caplog):
    fake_twilio.fail_next(1, "400")
    send(app, queued.id)
    work()
    assert fake_twilio.attempts == 1 and fake_twilio.sent == []
    assert queued().status == "failed" and queued().error == "Twilio answered HTTP 400, error 21211"
    assert PHONE not in caplog.text


@pytest.mark.parametrize("status", ["sending", "sent", "delivered", "failed", "skipped"])
def test_a_message_past_queued_is_never_sent_again(app, db, mode, work, queued, fake_twilio, status):
    # 'sending': a worker died mid-call; Twilio may have it, so no retry sends it a second time.
    with db.session() as session:
        session.get(OutboundMessage, queued.id).status = status
        session.commit()
    send(app, queued.id)
    work()
    assert fake_twilio.attempts == 0 and queued().status == status


@pytest.mark.parametrize("error", ["429", "500", "503"])
@pytest.mark.parametrize("mode", ["rq"])
def test_rq_retries_with_backoff_until_twilio_takes_it_then_sends_once(app, mode, work, queued, fake_twilio, scheduled,
                                                                       release_scheduled, error):
    fake_twilio.fail_next(2, error)
    send(app, queued.id)
    for attempt, backoff in enumerate(SEND_RETRY_INTERVALS[:2], 1):
        before = datetime.now(timezone.utc)
        work()
        [(held, due)] = scheduled()
        assert held == job_id(queued.id)
        assert due.timestamp() >= before.timestamp() + backoff - 1, "held back for the backoff interval"
        assert queued().status == "queued" and queued().attempts == attempt
        assert release_scheduled() == 1
    work()
    assert scheduled() == []
    assert fake_twilio.attempts == 3 and len(fake_twilio.sent) == 1
    assert (queued().status, queued().attempts, queued().external_id) == ("sent", 3, fake_twilio.sent[0].sid)


@pytest.mark.parametrize("mode", ["inline"])
def test_inline_a_temporary_failure_leaves_the_message_queued_for_the_next_try(app, mode, queued, fake_twilio):
    fake_twilio.fail_next(1, "500")
    send(app, queued.id)
    assert queued().status == "queued" and queued().error == "Twilio answered HTTP 500, error 20500"
    send(app, queued.id)
    assert queued().status == "sent" and len(fake_twilio.sent) == 1


@pytest.mark.parametrize("mode", ["rq"])
def test_a_real_rq_worker_process_builds_its_app_from_the_environment(app, mode, queued, fake_twilio, settings, tmp_path):
    send(app, queued.id)
    env = {
        **os.environ, "DATABASE_URL": settings.DATABASE_URL, "REDIS_URL": settings.REDIS_URL, "PSEUDONYM_KEY": settings.PSEUDONYM_KEY,
        "SECRET_KEY": "test", "INSTANCE_DIR": str(tmp_path), "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_URL": fake_twilio.url, "PYTHONPATH": str(ROOT),
    }
    worker = subprocess.run([sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", settings.REDIS_URL, Queues.SEND],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert queued().status == "sent" and len(fake_twilio.sent) == 1
    assert PHONE not in worker.stdout + worker.stderr, "the worker's log names no one"


def test_a_failure_before_the_request_left_is_tried_again_later_and_sent_once(app, mode, work, queued, fake_twilio, scheduled,
                                                                              release_scheduled, monkeypatch, caplog):
    from workers import send as send_job

    real_sender_for = send_job.sender_for

    def broken_once(channel, config):  # a bug building the client: nothing reached Twilio
        monkeypatch.setattr(send_job, "sender_for", real_sender_for)
        raise KeyError(PHONE)

    monkeypatch.setattr(send_job, "sender_for", broken_once)
    send(app, queued.id)
    work()
    assert fake_twilio.attempts == 0
    assert (queued().status, queued().attempts, queued().error) == ("queued", 1, "KeyError before the request left")
    assert queued().next_attempt_at is not None, "due again after the backoff, for `outbox retry` too"
    assert "KeyError" in caplog.text and PHONE not in caplog.text
    if mode == "rq":
        assert [held for held, _due in scheduled()] == [job_id(queued.id)], "RQ retries it with the backoff"
        release_scheduled()
        work()
    else:
        send(app, queued.id)
    assert (queued().status, len(fake_twilio.sent)) == ("sent", 1)


def test_a_call_that_may_have_reached_twilio_leaves_the_message_unknown_and_never_sends_it_again(app, runner, mode, work, queued,
                                                                                                 fake_twilio, scheduled, monkeypatch):
    import bots.twilio_client
    from rq.timeouts import JobTimeoutException

    real_post = bots.twilio_client.requests.post

    def posted_then_timed_out(*args, **kwargs):  # RQ's job timeout, say, arriving while Twilio answers
        real_post(*args, **kwargs)
        raise JobTimeoutException("Task exceeded maximum timeout value (180 seconds)")

    monkeypatch.setattr(bots.twilio_client.requests, "post", posted_then_timed_out)
    send(app, queued.id)
    work()
    assert len(fake_twilio.sent) == 1
    assert queued().status == "unknown" and "may have been sent" in queued().error
    assert scheduled() == [], "no retry is scheduled"

    send(app, queued.id)  # queued again by mistake, or an operator's `outbox retry`
    work()
    assert "0 due messages" in runner.invoke(args=["outbox", "retry"]).output
    assert fake_twilio.attempts == 1 and queued().status == "unknown"
    status = runner.invoke(args=["outbox", "status"]).output
    assert "unknown" in status and "1 may have gone out" in status
