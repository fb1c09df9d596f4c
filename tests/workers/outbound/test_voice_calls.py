"""Calls placed by the send job: through Twilio's Calls resource, paced, once each, never to the opted out."""

from __future__ import annotations

from sqlalchemy import select

from fakes.twilio_requests import CITIZEN, PUBLIC_BASE_URL
from models import OutboundMessage, utcnow
from palabre.identity import TEL
from palabre.inbound import find_or_create_participant
from palabre.outbound import queue_message
from workers.calls import queue_call
from workers.send import job_id

OTHER, STOPPED = "+447700900002", "+447700900003"


def _queue_calls(db, settings, now) -> list[int]:
    ids = []
    with db.session() as session:
        for number in (CITIZEN, OTHER, STOPPED):
            person = find_or_create_participant(session, settings.PSEUDONYM_KEY, TEL, number, now)
            if number == STOPPED:
                person.opted_out_at = now  # pressed 9 on an earlier call
            ids.append(queue_message(session, person.id, "voice", "(appel / call)", "invitation", now))
        session.commit()
    return ids


def test_calls_are_placed_once_each_paced_and_never_to_the_opted_out(app, db, settings, fake_twilio, mode, work,
                                                                      scheduled, release_scheduled):
    ids = _queue_calls(db, settings, utcnow())
    with app.app_context():
        for position, message_id in enumerate(ids):
            queue_call(message_id, position, calls_per_second=1.0)
            queue_call(message_id, position, calls_per_second=1.0)  # queued twice: one job, one call
    if mode == "rq":
        # Only the first goes at once; the others wait their turn in RQ's schedule.
        assert sorted(job for job, _at in scheduled()) == sorted(job_id(i) for i in ids[1:])
        work()
        assert [call.form["To"] for call in fake_twilio.calls] == [CITIZEN]
        release_scheduled()
        work()
    assert sorted(call.form["To"] for call in fake_twilio.calls) == sorted([CITIZEN, OTHER])
    assert all(call.form["Url"] == PUBLIC_BASE_URL + "/voice/twilio" for call in fake_twilio.calls)
    with db.session() as session:
        statuses = {m.id: (m.status, m.external_id) for m in session.scalars(select(OutboundMessage))}
    assert statuses[ids[2]] == ("skipped", None)
    assert {statuses[i][1] for i in ids[:2]} == {call.sid for call in fake_twilio.calls}
