"""`invite SLUG --numbers FILE`: one invitation per number, through the worker to the fake Twilio."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from palabre.sms_segments import count_segments
from flows.loader import check_flow_text
from models import Consultation, Invitation, OutboundMessage
from palabre.consultations import flow_of, set_status
from palabre.identity import TEL
from palabre.inbound import Inbound, find_or_create_participant, handle_inbound
from palabre.invitations import invitation_text, read_numbers

# Real-shaped numbers (Senegal, Nigeria, Kenya): invitations only go to ranges that exist. Only the fake Twilio sees them.
NUMBERS = ["+221771234567", "+2348031234567", "+254712345678"]


def invite(runner, tmp_path, content: str, slug: str = "access-barriers"):
    path = tmp_path / "numbers.csv"
    path.write_text(content, encoding="utf-8")
    return runner.invoke(args=["invite", slug, "--numbers", str(path)])


def test_a_csv_with_a_phone_column_invites_each_number_once(loaded, mode, work, runner, tmp_path, db, fake_twilio):
    content = ("name;phone;district\n"
               f"Awa;{NUMBERS[0]};nord\n"
               "Bad;not-a-number;sud\n"
               f"Kofi;{NUMBERS[1]};est\n"
               f"Awa again;+221 77 123 45 67;nord\n"
               "Short;+44123;est\n"
               f"Ama;{NUMBERS[2]};ouest\n")
    result = invite(runner, tmp_path, content)
    assert result.exit_code == 0, result.output
    assert "3 invited, 1 repeated in the file, 2 refused" in result.output
    assert "line 3: not a phone number (…er)" in result.output
    assert "line 6: too short for GB (…23)" in result.output
    assert not any(number in result.output for number in NUMBERS), "numbers are never printed"
    work()
    assert sorted(sent.to for sent in fake_twilio.sent) == NUMBERS
    text = fake_twilio.sent[0].body
    assert text.startswith("Accès aux services publics : la mairie vous consulte. Répondez AVIS")
    with db.session() as session:
        assert len(session.scalars(select(Invitation)).all()) == 3
        assert {m.status for m in session.scalars(select(OutboundMessage))} == {"sent"}


def test_a_plain_list_works_and_a_second_run_invites_nobody_twice(loaded, mode, work, runner, tmp_path, fake_twilio):
    content = "# invited at the market\n" + "\n".join(NUMBERS[:2]) + "\n\n"
    assert "2 invited" in invite(runner, tmp_path, content).output
    work()
    again = invite(runner, tmp_path, content)
    assert "0 invited, 2 already invited, 0 refused" in again.output
    work()
    assert len(fake_twilio.sent) == 2


def test_those_who_opted_out_or_already_answer_are_not_invited(loaded, mode, work, runner, tmp_path, db, settings, now, fake_twilio):
    with db.session() as session:
        find_or_create_participant(session, settings.PSEUDONYM_KEY, TEL, NUMBERS[0], now).opted_out_at = now
        handle_inbound(session, settings, Inbound("sms", TEL, NUMBERS[1], "AVIS"), now)
        session.commit()
    result = invite(runner, tmp_path, "\n".join(NUMBERS))
    assert "1 invited, 1 already answering, 1 opted out, 0 refused" in result.output
    work()
    assert [sent.to for sent in fake_twilio.sent] == [NUMBERS[2]]


@pytest.mark.parametrize("mode", ["rq"])
def test_invitations_go_through_the_worker_and_survive_twilio_failures(loaded, mode, work, runner, tmp_path, fake_twilio,
                                                                        release_scheduled):
    fake_twilio.fail_next(1, "503")
    assert "3 invited" in invite(runner, tmp_path, "\n".join(NUMBERS)).output
    assert fake_twilio.attempts == 0, "the command only queues"
    work()
    assert release_scheduled() == 1
    work()
    assert sorted(sent.to for sent in fake_twilio.sent) == NUMBERS and fake_twilio.attempts == 4


@pytest.mark.parametrize("mode", ["inline"])
def test_inline_an_invitation_twilio_refused_for_now_goes_out_on_the_next_run(loaded, mode, runner, tmp_path, fake_twilio):
    fake_twilio.fail_next(1, "500")
    first = invite(runner, tmp_path, NUMBERS[0]).output
    assert "1 invited" in first and "1 messages failed for now: `python app.py outbox retry --wait`" in first
    assert fake_twilio.sent == []
    assert "1 queued again" in invite(runner, tmp_path, NUMBERS[0]).output
    assert [sent.to for sent in fake_twilio.sent] == [NUMBERS[0]]


@pytest.mark.parametrize("mode", ["inline"])
def test_numbers_that_cannot_exist_are_refused_by_line_with_the_reason(loaded, mode, runner, tmp_path, fake_twilio):
    content = "\n".join([
        "+225 07 07 12 34 56",  # Côte d'Ivoire
        "+221 12 345 67 89",  # the length of a Senegalese number, in no range that exists
        "+234 999 123 4567",  # the same for Nigeria
        "0803 123 4567",  # a Nigerian number written locally, without PHONE_REGION
        "+233 24 412 3456",  # Ghana
        "+33 6 12 34 56 78",  # France
    ])
    result = invite(runner, tmp_path, content)
    assert "3 invited, 3 refused" in result.output
    assert "line 2: no such number in SN: check the digits (…89)" in result.output
    assert "line 3: no such number in NG: check the digits (…67)" in result.output
    assert "line 4: no country code: write it with +country, or set PHONE_REGION for local numbers (…67)" in result.output
    assert sorted(sent.to for sent in fake_twilio.sent) == ["+2250707123456", "+233244123456", "+33612345678"]


@pytest.mark.parametrize("mode", ["inline"])
def test_phone_region_reads_local_numbers_and_says_when_one_is_from_elsewhere(loaded, mode, app, settings, runner,
                                                                             tmp_path, fake_twilio, monkeypatch):
    monkeypatch.setitem(app.extensions, "palabre.config", settings.replace(PHONE_REGION="NG"))
    result = invite(runner, tmp_path, "0803 123 4567\n0712 345678\n+254 712 345 678\n")
    assert "2 invited, 1 refused" in result.output
    assert ("line 2: no such number in NG (PHONE_REGION): check the digits, or write a number from elsewhere with "
            "+country (…78)") in result.output  # a Kenyan number written locally
    assert sorted(sent.to for sent in fake_twilio.sent) == ["+2348031234567", "+254712345678"]


@pytest.mark.parametrize("mode", ["inline"])
def test_a_closed_or_unknown_consultation_is_refused(loaded, mode, runner, tmp_path, db):
    assert "no consultation 'nope'" in invite(runner, tmp_path, NUMBERS[0], slug="nope").output
    with db.session() as session:
        set_status(session, session.scalar(select(Consultation)), "closed")
        session.commit()
    result = invite(runner, tmp_path, NUMBERS[0])
    assert result.exit_code == 1 and "is closed, not open" in result.output


@pytest.mark.parametrize("mode", ["inline"])
def test_the_invitation_is_one_gsm7_sms_in_the_default_language(loaded, mode, db):
    with db.session() as session:
        flow = flow_of(session.scalar(select(Consultation)))
    for language in flow.languages:
        text = invitation_text(flow, language)
        assert count_segments(text).segments == 1 and count_segments(text).encoding == "GSM-7"
    assert invitation_text(flow) == invitation_text(flow, "fr")
    assert invitation_text(flow, "en").startswith("Access to public services: the city is asking for your views. Reply AVIS")


def test_a_flow_can_reword_the_invitation_and_a_long_title_is_shortened():
    flow, problems = check_flow_text("""
id: long
title: {fr: "Grande consultation citoyenne sur l'eau, l'assainissement, les routes, les écoles, la santé et la sécurité de tous"}
languages: [fr]
keywords: [EAU]
messages: {invitation: {fr: "{title} ! Envoyez {keyword} au 1234 pour répondre. STOP pour arrêter."}}
end: {fr: Merci}
questions:
  - {id: q, type: text, prompt: {fr: "Votre avis ?"}}
""")
    assert flow is not None, problems
    text = invitation_text(flow)
    assert text.endswith("... ! Envoyez EAU au 1234 pour répondre. STOP pour arreter.")
    assert count_segments(text).segments == 1


def test_read_numbers_accepts_csv_with_a_phone_column_or_a_plain_list():
    assert list(read_numbers("\ufeffPhone,name\n+447700900101,A\n\n,B\n+447700900102\n")) == [
        (2, "+447700900101"), (4, ""), (5, "+447700900102")]
    assert list(read_numbers("+447700900101\n# comment\n  07700 900102 \n")) == [(1, "+447700900101"), (3, "07700 900102")]
    assert list(read_numbers("")) == []



def test_whatsapp_invitations_need_an_approved_template(loaded, settings, tmp_path, db, fake_twilio):
    from app import create_app

    runner = create_app(settings.replace(TWILIO_WHATSAPP_FROM="+14155238886")).test_cli_runner()
    path = tmp_path / "numbers.csv"
    path.write_text(NUMBERS[0] + "\n", encoding="utf-8")
    result = runner.invoke(args=["invite", "access-barriers", "--numbers", str(path), "--channel", "whatsapp"])
    assert result.exit_code == 1
    assert "set WHATSAPP_TEMPLATE_SID" in result.output and "Nothing was sent." in result.output
    assert fake_twilio.attempts == 0
    with db.session() as session:
        assert session.scalars(select(Invitation)).all() == []


def test_a_whatsapp_invitation_goes_as_the_template_with_the_french_text(loaded, settings, tmp_path, fake_twilio):
    import json

    from app import create_app

    template = "HX" + "e" * 32
    runner = create_app(settings.replace(TWILIO_WHATSAPP_FROM="+14155238886", WHATSAPP_TEMPLATE_SID=template)).test_cli_runner()
    path = tmp_path / "numbers.csv"
    path.write_text(NUMBERS[0] + "\n", encoding="utf-8")
    result = runner.invoke(args=["invite", "access-barriers", "--numbers", str(path), "--channel", "whatsapp"])
    assert result.exit_code == 0 and "1 invited" in result.output, result.output
    [sent] = fake_twilio.sent
    assert sent.form["To"] == f"whatsapp:{NUMBERS[0]}" and sent.form["From"] == "whatsapp:+14155238886"
    assert sent.form["ContentSid"] == template
    invitation = json.loads(sent.form["ContentVariables"])["1"]
    assert invitation.startswith("Accès aux services publics") and "AVIS" in invitation
