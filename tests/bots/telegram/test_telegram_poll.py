"""`telegram poll` (long polling with ptb's Application) and `telegram set-webhook`, against the fake Bot API."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bots.telegram_poll import poll
from bots.telegram_render import press_data, question_ref
from fakes.telegram_updates import SECRET, Citizen, answers, load_update, texts_to
from models import Conversation


def button(question_id: str, verb: str, value: int) -> str:
    """The callback data of a button of the shipped flow, as the bot renders it."""
    return press_data(verb, question_ref("access-barriers", question_id), value)


def test_a_polling_conversation_completes_the_shipped_consultation(loaded, db, fake_telegram):
    user = Citizen(None, fake_telegram)
    script = [
        user.message_update("text", text="/start"),
        user.press_update(button("lang", "a", 2)),  # English
        user.press_update(button("consent", "a", 1)),  # Yes
        user.message_update("text", text="south"),
        user.press_update(button("gender", "a", 2)),
        user.message_update("text", text="61"),
        user.press_update(button("disability", "a", 1)),
        user.message_update("text", text="45 min"),
        user.press_update(button("visit_cost", "a", 1)),
        user.message_update("text", text="1"),
        user.press_update(button("wait", "a", 1)),
        user.press_update(button("phone", "a", 2)),
        user.press_update(button("helper", "t", 0b1000)),  # ticks "Nobody"
        user.press_update(button("helper", "d", 0b1000)),
        user.message_update("text", text="sms"),
        user.message_update("text", text="skip"),
        load_update("edited_message", update_id=999_999_999),  # not for us: ignored, polling goes on
    ]
    fake_telegram.add_updates(*script)

    handled = asyncio.run(poll(loaded, max_updates=len(script), long_poll_seconds=0))

    assert handled == len(script)
    assert texts_to(fake_telegram)[-1].startswith("Thank you! Your answers help us leave no one behind.")
    with db.session() as session:
        conversation = session.scalar(select(Conversation))
    assert conversation.status == "completed" and conversation.channel == "telegram" and conversation.language == "en"
    assert answers(db)["helper"] == ["nobody"] and answers(db)["travel_minutes"] == 45
    assert fake_telegram.called("deleteWebhook")  # polling and a webhook exclude each other
    assert len(fake_telegram.called("answerCallbackQuery")) == 9
    assert [c.buttons[3]["text"] for c in fake_telegram.called("editMessageReplyMarkup")] == ["☑ 4. Nobody"]


def test_the_poll_command_answers_updates(runner, loaded, fake_telegram):
    user = Citizen(None, fake_telegram)
    fake_telegram.add_updates(user.message_update("text", text="/start"), user.message_update("text", text="2"))
    result = runner.invoke(args=["telegram", "poll", "--max-updates", "2"])
    assert result.exit_code == 0, result.output
    assert "2 updates handled" in result.output
    assert texts_to(fake_telegram)[-1].endswith("Do you agree to answer?")


def test_set_webhook_registers_the_url_with_the_secret(runner, fake_telegram):
    result = runner.invoke(args=["telegram", "set-webhook", "https://palabre.example.org/telegram/webhook"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output
    [call] = fake_telegram.called("setWebhook")
    assert call.params == {"url": "https://palabre.example.org/telegram/webhook", "secret_token": SECRET,
                           "allowed_updates": ["message", "callback_query", "my_chat_member"]}  # a block opts out


def test_set_webhook_refuses_plain_http_and_a_missing_or_invalid_secret(app, runner, fake_telegram):
    result = runner.invoke(args=["telegram", "set-webhook", "http://palabre.example.org/telegram/webhook"])
    assert result.exit_code != 0 and "https" in result.output
    for secret in (None, "has spaces"):
        app.extensions["palabre.config"] = app.extensions["palabre.config"].replace(TELEGRAM_WEBHOOK_SECRET=secret)
        result = runner.invoke(args=["telegram", "set-webhook", "https://palabre.example.org/telegram/webhook"])
        assert result.exit_code != 0 and "TELEGRAM_WEBHOOK_SECRET" in result.output
    assert fake_telegram.called("setWebhook") == []


def test_set_webhook_reports_a_refusal(runner, fake_telegram):
    fake_telegram.fail_next("setWebhook", 400)
    result = runner.invoke(args=["telegram", "set-webhook", "https://palabre.example.org/telegram/webhook"])
    assert result.exit_code != 0 and "refused" in result.output
