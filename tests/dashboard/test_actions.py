"""The accountability loop: record an action, preview its feedback message, send it once to each respondent."""

from __future__ import annotations

import re

import pytest

from app import create_app
from models import Action, Participant
from palabre.feedback import recipients
from tests.dashboard.conftest import csrf_from, log_in
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_twilio import FakeTwilio

ACCOUNT, AUTH, BOT = "AC" + "0" * 32, "twilio-test-token", "123456:TEST"


@pytest.fixture
def fakes():
    with FakeTwilio(ACCOUNT, AUTH) as twilio, FakeTelegram(BOT) as telegram:
        yield twilio, telegram


@pytest.fixture
def official(settings, accounts, fakes, db):
    """An admin's browser on an app whose SMS and Telegram go to the local fakes, after 60 simulated citizens."""
    twilio, telegram = fakes
    app = create_app(settings.replace(
        TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_AUTH_TOKEN=AUTH, TWILIO_FROM_NUMBER="+15005550006", TWILIO_API_URL=twilio.url,
        TELEGRAM_BOT_TOKEN=BOT, TELEGRAM_API_URL=telegram.api_url,
    ))
    assert app.test_cli_runner().invoke(args=["demo", "--no-serve", "--citizens", "60"]).exit_code == 0
    client = app.test_client()
    log_in(client, accounts["admin"])
    return client


def _new_action(client, **fields) -> int:
    page = client.get("/dashboard/access-barriers/actions/new?lang=en")
    data = {"csrf_token": csrf_from(page.data), "title_fr": "Bureau mobile au Nord", "title_en": "Mobile office in the North",
            "description_fr": "Le mardi", "description_en": "On Tuesdays", "dimension": "distance",
            "groups": ["district=nord"], "status": "planned", "due_date": "2026-06-30", **fields}
    response = client.post("/dashboard/access-barriers/actions/new", data=data)
    assert response.status_code == 302, response.data
    return int(re.search(rb"/actions/(\d+)", client.get("/dashboard/access-barriers").data).group(1))


def test_an_action_is_recorded_and_shown_on_the_public_page_in_both_languages(official):
    _new_action(official)
    assert "Mobile office in the North" in official.get("/results/access-barriers?lang=en").data.decode()
    assert "Bureau mobile au Nord" in official.get("/results/access-barriers?lang=fr").data.decode()


def test_an_invalid_action_is_refused_with_reasons(official):
    page = official.get("/dashboard/access-barriers/actions/new?lang=en")
    response = official.post("/dashboard/access-barriers/actions/new", data={
        "csrf_token": csrf_from(page.data), "title_fr": "", "title_en": "x", "groups": ["district=atlantis"], "due_date": "soon"})
    assert response.status_code == 422
    for reason in (b"title in every language", b"Unknown group", b"2026-05-31"):
        assert reason in response.data


def test_broadcast_preview_then_send_reaches_each_respondent_once(official, fakes, db, app):
    twilio, telegram = fakes
    action_id = _new_action(official)
    with db.session() as session:
        expected = recipients(session, session.get(Action, action_id))
    assert expected, "the synthetic city has respondents in Nord"
    url = f"/dashboard/access-barriers/actions/{action_id}/broadcast?lang=en"
    form = {"csrf_token": csrf_from(official.get(url).data), "text_fr": "Vous avez dit, nous faisons : bureau mobile le mardi.",
            "text_en": "You said, we did: a mobile office on Tuesdays."}
    preview = official.post(url, data={**form, "confirm": "preview"}).data.decode()
    form["form_key"] = re.search(r'name="form_key" value="([^"]+)"', preview).group(1)
    assert f'<span id="recipients">{len(expected)}</span>' in preview
    assert "GSM-7" in preview  # both texts fit GSM-7
    assert official.post(url, data={**form, "confirm": "send"}).status_code == 302
    by_sms = [r for r in expected if r.channel in ("sms", "ussd")]
    by_telegram = [r for r in expected if r.channel == "telegram"]
    assert len(twilio.sent) == len(by_sms) and len(telegram.sent) == len(by_telegram)
    assert {m.body for m in twilio.sent} <= {form["text_fr"], form["text_en"]}
    # Sending again (a double click, a retried job) reaches nobody twice.
    official.post(url, data={**form, "confirm": "send"})
    from workers.broadcast import fan_out

    with app.app_context():
        fan_out(1)
    assert len(twilio.sent) == len(by_sms) and len(telegram.sent) == len(by_telegram)


def test_opted_out_respondents_get_nothing(official, fakes, db):
    twilio, _ = fakes
    action_id = _new_action(official, groups=[])
    with db.session() as session:
        everyone = recipients(session, session.get(Action, action_id))
        stopped = session.get(Participant, everyone[0].participant_id)
        from models import utcnow

        stopped.opted_out_at = utcnow()
        session.commit()
        assert len(recipients(session, session.get(Action, action_id))) == len(everyone) - 1


def test_with_redis_down_a_broadcast_is_kept_and_sending_again_later_reaches_each_once(settings, accounts, fakes, db):
    twilio, telegram = fakes
    configured = settings.replace(
        TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_AUTH_TOKEN=AUTH, TWILIO_FROM_NUMBER="+15005550006", TWILIO_API_URL=twilio.url,
        TELEGRAM_BOT_TOKEN=BOT, TELEGRAM_API_URL=telegram.api_url)
    working = create_app(configured)
    assert working.test_cli_runner().invoke(args=["demo", "--no-serve", "--citizens", "60"]).exit_code == 0
    down = create_app(configured.replace(REDIS_URL="redis://127.0.0.1:1/0"))  # the workers' Redis unreachable
    client = down.test_client()
    log_in(client, accounts["admin"])
    action_id = _new_action(client)
    url = f"/dashboard/access-barriers/actions/{action_id}/broadcast?lang=en"
    form = {"csrf_token": csrf_from(client.get(url).data), "text_fr": "Vous avez dit, nous faisons.", "text_en": "You said, we did."}
    preview = client.post(url, data={**form, "confirm": "preview"}).data.decode()
    form["form_key"] = re.search(r'name="form_key" value="([^"]+)"', preview).group(1)

    refused = client.post(url, data={**form, "confirm": "send"})
    assert refused.status_code == 503
    page = refused.data.decode()
    assert "workers cannot be reached" in page and "You said, we did." in page, "the official's text is still there"
    assert twilio.sent == [] and telegram.sent == []
    down.extensions["palabre.database"].dispose()

    again = working.test_client()  # Redis back (here: jobs inline); the same form sent again
    log_in(again, accounts["admin"])
    form["csrf_token"] = csrf_from(again.get(url).data)
    assert again.post(url, data={**form, "confirm": "send"}).status_code == 302
    assert again.post(url, data={**form, "confirm": "send"}).status_code == 302  # and a double click
    with db.session() as session:
        expected = recipients(session, session.get(Action, action_id))
    assert expected and len(twilio.sent) + len(telegram.sent) == len(expected)


def _official_app(settings, twilio, telegram, **changes):
    app = create_app(settings.replace(**{
        "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": AUTH, "TWILIO_FROM_NUMBER": "+15005550006",
        "TWILIO_API_URL": twilio.url, "TELEGRAM_BOT_TOKEN": BOT, "TELEGRAM_API_URL": telegram.api_url,
        "TWILIO_WHATSAPP_FROM": "+14155238886", **changes,
    }))
    assert app.test_cli_runner().invoke(args=["demo", "--no-serve", "--citizens", "60"]).exit_code == 0
    return app


def _preview(client, action_id: int) -> tuple[str, dict]:
    url = f"/dashboard/access-barriers/actions/{action_id}/broadcast?lang=en"
    form = {"csrf_token": csrf_from(client.get(url).data), "text_fr": "Vous avez dit, nous faisons.", "text_en": "You said, we did."}
    page = client.post(url, data={**form, "confirm": "preview"}).data.decode()
    form["form_key"] = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
    return page, form


def test_a_channel_without_credentials_is_named_before_sending_and_nothing_goes(settings, accounts, fakes, db):
    twilio, telegram = fakes
    app = _official_app(settings, twilio, telegram, TELEGRAM_BOT_TOKEN=None)
    client = app.test_client()
    log_in(client, accounts["admin"])
    action_id = _new_action(client, groups=[])
    page, form = _preview(client, action_id)
    assert "Telegram cannot send yet: set TELEGRAM_BOT_TOKEN (from @BotFather). Nothing can be sent until then." in page
    assert 'value="send"' not in page, "no Send button while a channel cannot send"
    refused = client.post(f"/dashboard/access-barriers/actions/{action_id}/broadcast?lang=en", data={**form, "confirm": "send"})
    assert refused.status_code == 422 and b"TELEGRAM_BOT_TOKEN" in refused.data
    assert twilio.sent == [] and telegram.sent == []


def _move_to_whatsapp(db, participant_id: int, hours_ago: float) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from models import Conversation, InboundMessage, utcnow

    with db.session() as session:
        session.execute(update(Conversation).where(Conversation.participant_id == participant_id).values(channel="whatsapp"))
        session.execute(update(InboundMessage).where(InboundMessage.participant_id == participant_id)
                        .values(channel="whatsapp", received_at=utcnow() - timedelta(hours=hours_ago)))
        session.commit()


@pytest.mark.parametrize("template", [None, "HX" + "d" * 32])
def test_whatsapp_respondents_silent_for_over_24_hours_need_the_template(settings, accounts, fakes, db, template):
    twilio, telegram = fakes
    app = _official_app(settings, twilio, telegram, WHATSAPP_TEMPLATE_SID=template)
    client = app.test_client()
    log_in(client, accounts["admin"])
    action_id = _new_action(client, groups=[])
    with db.session() as session:
        everyone = [r for r in recipients(session, session.get(Action, action_id)) if r.channel in ("sms", "ussd")]
    late, recent = everyone[0].participant_id, everyone[1].participant_id
    _move_to_whatsapp(db, late, hours_ago=30)
    _move_to_whatsapp(db, recent, hours_ago=2)
    page, form = _preview(client, action_id)
    if template is None:
        assert "1 of them answered on WhatsApp more than 24 hours ago and will not get it" in page
    else:
        assert "more than 24 hours ago" not in page
    assert client.post(f"/dashboard/access-barriers/actions/{action_id}/broadcast?lang=en",
                       data={**form, "confirm": "send"}).status_code == 302
    whatsapp = [m for m in twilio.sent if m.to.startswith("whatsapp:")]
    assert len(whatsapp) == (1 if template is None else 2)
    if template:
        assert all(m.form["ContentSid"] == template and "Body" not in m.form for m in whatsapp)
    assert len([m for m in twilio.sent if not m.to.startswith("whatsapp:")]) == len(everyone) - 2
