"""The reminder job: once per stalled conversation, before expiry, never to the opted out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Consultation, Invitation, OutboundMessage, Participant, utcnow
from palabre.identity import TEL
from palabre.inbound import Inbound, handle_inbound
from workers.reminders import send_reminders

STALLED, RECENT, EXPIRED, DONE, STOPPED, BLOCKED = (
    "+2250707000201", "+447700900202", "+447700900203", "+447700900204", "+447700900205", "+447700900206")
COMPLETE = ["AVIS", "2", "yes", "north", "woman", "70", "1", "2h", "4", "3", "4", "2", "4", "1", "skip"]


def say(db, settings, phone: str, texts: list[str], at) -> None:
    with db.session() as session:
        for text in texts:
            handle_inbound(session, settings, Inbound("sms", TEL, phone, text), at)
            session.commit()


@pytest.fixture
def conversations(loaded, db, settings, now):
    """Six citizens: one stalled for 30 hours, and five who must not be reminded."""
    say(db, settings, STALLED, ["AVIS", "1", "oui"], now - timedelta(hours=30))
    say(db, settings, RECENT, ["AVIS", "1"], now - timedelta(hours=2))
    say(db, settings, EXPIRED, ["AVIS", "1"], now - timedelta(hours=settings.CONVERSATION_IDLE_HOURS + 1))
    say(db, settings, DONE, COMPLETE, now - timedelta(hours=30))
    say(db, settings, STOPPED, ["AVIS", "1", "STOP"], now - timedelta(hours=30))
    say(db, settings, BLOCKED, ["AVIS", "1"], now - timedelta(hours=30))
    with db.session() as session:  # opted out at Twilio (error 21610): the conversation itself is still active
        blocked = session.scalar(select(Participant).order_by(Participant.id.desc()))
        blocked.opted_out_at = now - timedelta(hours=1)
        session.commit()
        return session.scalar(select(Consultation.id))


def run(app, consultation_id: int, now) -> int:
    with app.app_context():
        return send_reminders(consultation_id, now)


def test_only_a_conversation_stalled_before_expiry_is_reminded_with_its_question(app, mode, work, conversations, now, fake_twilio):
    assert run(app, conversations, now) == 1
    work()
    [sent] = fake_twilio.sent
    assert sent.to == STALLED
    assert sent.body == "Rappel : il ne reste que quelques questions.\nDans quel quartier vivez-vous ?\n1 Centre\n2 Nord\n3 Sud\n4 Est\n5 Ouest"


def test_a_conversation_is_reminded_once_however_often_the_job_runs(app, mode, work, db, conversations, now, fake_twilio):
    assert run(app, conversations, now) == 1
    assert run(app, conversations, now + timedelta(hours=1)) == 0
    work()
    assert len(fake_twilio.sent) == 1
    with db.session() as session:
        assert session.scalar(select(OutboundMessage.kind).where(OutboundMessage.kind == "reminder")) == "reminder"


@pytest.mark.parametrize("mode", ["inline"])
def test_a_reminder_is_dated_on_the_invitation(app, mode, db, settings, loaded, now, fake_twilio, runner, tmp_path):
    numbers = tmp_path / "numbers.txt"
    numbers.write_text(STALLED)
    assert runner.invoke(args=["invite", "access-barriers", "--numbers", str(numbers)]).exit_code == 0
    say(db, settings, STALLED, ["AVIS", "1"], now - timedelta(hours=25))
    with db.session() as session:
        consultation_id = session.scalar(select(Consultation.id))
    assert run(app, consultation_id, now) == 1
    with db.session() as session:
        assert session.scalar(select(Invitation.reminded_at)) == now


@pytest.mark.parametrize("mode", ["inline"])
def test_the_remind_command_runs_the_job(loaded, mode, db, settings, runner, fake_twilio):
    say(db, settings, STALLED, ["AVIS"], utcnow() - timedelta(hours=settings.REMINDER_AFTER_HOURS + 1))
    result = runner.invoke(args=["remind", "access-barriers"])
    assert result.exit_code == 0, result.output
    assert "1 reminders queued (conversations idle 24 to 72 hours" in result.output
    assert [sent.to for sent in fake_twilio.sent] == [STALLED]
    assert "0 reminders queued" in runner.invoke(args=["remind", "access-barriers"]).output


@pytest.mark.parametrize("template", [None, "HX" + "f" * 32])
def test_a_whatsapp_conversation_idle_a_day_is_reminded_only_with_the_template(loaded, db, settings, now, fake_twilio, template):
    from app import create_app

    app = create_app(settings.replace(TWILIO_WHATSAPP_FROM="+14155238886", WHATSAPP_TEMPLATE_SID=template))
    with db.session() as session:
        for text in ["AVIS", "1", "oui"]:
            handle_inbound(session, settings, Inbound("whatsapp", TEL, STALLED, text, external_id=f"SM{text}"),
                           now - timedelta(hours=30))
            session.commit()
        consultation_id = session.scalar(select(Consultation.id))
    assert run(app, consultation_id, now) == (0 if template is None else 1)
    if template:
        [sent] = fake_twilio.sent
        assert sent.to == f"whatsapp:{STALLED}" and sent.form["ContentSid"] == template
