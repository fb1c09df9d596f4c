"""POST /telegram/webhook: who may call it, what it ignores, and how it answers a citizen."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import create_app
from models import Answer, Conversation, InboundMessage, OutboundMessage, Participant
from fakes.telegram_updates import SECRET, SECRET_HEADER, USER_ID, Citizen, answers, count, load_update, texts_to


def test_a_missing_or_wrong_secret_is_refused_and_nothing_is_stored(citizen, db, fake_telegram):
    update = load_update("text")
    assert citizen.post(update, secret=None).status_code == 403
    assert citizen.post(update, secret=SECRET + "x").status_code == 403
    assert citizen.post(update, secret="").status_code == 403
    assert count(db, InboundMessage) == 0 and count(db, Participant) == 0 and fake_telegram.calls == []


def test_without_a_configured_secret_every_update_is_refused(loaded, settings, db, fake_telegram):
    client = create_app(settings.replace(TELEGRAM_WEBHOOK_SECRET=None)).test_client()
    for secret in ("", "None", SECRET):
        response = client.post("/telegram/webhook", json=load_update("text"), headers={SECRET_HEADER: secret})
        assert response.status_code == 403 and "TELEGRAM_WEBHOOK_SECRET" in response.get_data(as_text=True)
    assert count(db, InboundMessage) == 0


@pytest.mark.parametrize("body", [
    b"", b"not json", b"[1, 2]", b'"text"', b'{"update_id": "12"}', b'{"update_id": true}', b'{"message": {}}',
    b"\xff\xfe{",
])
def test_what_is_no_update_at_all_is_refused_with_a_reason_never_a_500(citizen, db, body):
    response = citizen.client.post("/telegram/webhook", data=body, content_type="application/json",
                                   headers={SECRET_HEADER: SECRET})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "Telegram" in response.get_data(as_text=True) or "JSON" in response.get_data(as_text=True)
    assert count(db, InboundMessage) == 0


# Telegram resends an update until it gets a 2xx, so an update we cannot read is acknowledged, not refused.
@pytest.mark.parametrize("body", [
    b'{"update_id": 1, "message": "hi"}', b'{"update_id": 1, "message": {"text": "hi"}}',
    b'{"update_id": 1, "callback_query": {"id": "1"}}', b'{"update_id": 1, "message": {"message_id": 1, "date": "today"}}',
    b'{"update_id": 1, "my_chat_member": {"chat": {"id": 5}}}',
])
def test_an_update_whose_fields_do_not_read_is_acknowledged_quietly_and_nothing_is_stored(citizen, db, fake_telegram, caplog, body):
    response = citizen.client.post("/telegram/webhook", data=body, content_type="application/json",
                                   headers={SECRET_HEADER: SECRET})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert count(db, InboundMessage) == 0 and count(db, Participant) == 0 and fake_telegram.calls == []
    assert "telegram update ignored" in caplog.text


NOT_CHAT_IDS = ["5550001234", "abc", "", 1.5, True, None, {"id": 5550001234}, [5550001234], 0, -5550001234,
                2 ** 52, 2 ** 63, 2 ** 64, 10 ** 30, -(10 ** 25)]


@pytest.mark.parametrize("chat_id", NOT_CHAT_IDS, ids=repr)
@pytest.mark.parametrize("name", ["text", "callback_query"])
def test_a_chat_id_that_is_no_telegram_id_gets_a_quiet_200_and_nothing_is_stored(citizen, db, fake_telegram, caplog, name, chat_id):
    update = load_update(name)
    (update.get("message") or update["callback_query"]["message"])["chat"]["id"] = chat_id
    response = citizen.post(update)
    assert response.status_code == 200, "Telegram would resend it forever"
    assert count(db, InboundMessage) == 0 and count(db, Participant) == 0 and count(db, OutboundMessage) == 0
    assert fake_telegram.calls == []
    assert "telegram update ignored: " in caplog.text and "chat.id" in caplog.text
    assert len(str(chat_id)) < 5 or str(chat_id) not in caplog.text  # the reason, never the value


def test_an_unreadable_field_further_in_is_taken_quietly_too(citizen, db, fake_telegram, caplog):
    citizen.says("/start")
    sent = len(fake_telegram.sent)
    for field, value in [("text", 12), ("text", ["1"]), ("language_code", 5)]:
        update = citizen.message_update("text", text="1")
        (update["message"]["from"] if field == "language_code" else update["message"])[field] = value
        assert citizen.post(update).status_code == 200
    press = citizen.press_update("a:00000000:1")
    press["callback_query"]["data"] = {"a": 1}
    assert citizen.post(press).status_code == 200
    contact = citizen.message_update("contact")
    contact["message"]["contact"]["user_id"] = str(USER_ID)
    assert citizen.post(contact).status_code == 200
    assert len(fake_telegram.sent) == sent and answers(db) == {}
    assert caplog.text.count("telegram update ignored") == 5 and str(USER_ID) not in caplog.text


@pytest.mark.parametrize("name", ["edited_message", "group_message", "channel_post"])
def test_what_is_not_a_private_message_or_a_button_is_ignored(citizen, db, fake_telegram, name):
    response = citizen.post(load_update(name))
    assert response.status_code == 200
    assert count(db, InboundMessage) == 0 and count(db, Participant) == 0 and count(db, OutboundMessage) == 0
    assert fake_telegram.calls == []


@pytest.mark.parametrize("name", ["sticker", "photo"])
def test_a_sticker_or_a_photo_is_asked_for_text_or_buttons_and_the_question_comes_again(citizen, fake_telegram, db, name):
    citizen.says("/start")
    fake_telegram.clear()
    assert citizen.sends(name).status_code == 200
    [reply] = fake_telegram.sent
    assert reply.params["text"].startswith("Merci de répondre par un texte ou avec les boutons.")
    assert reply.params["text"].endswith("Langue / Language?")
    assert [b["text"] for b in reply.buttons] == ["Francais", "English"]
    assert answers(db) == {}


def test_a_sticker_before_any_conversation_gets_the_short_note_only(citizen, fake_telegram, db):
    citizen.sends("sticker")
    assert texts_to(fake_telegram) == ["Merci de répondre par un texte ou avec les boutons."]
    assert count(db, Conversation) == 0


def test_start_begins_the_open_consultation_with_buttons_then_offers_the_number_once(citizen, fake_telegram):
    citizen.says("/start")
    question, offer = fake_telegram.sent
    assert question.params["text"].startswith("Mairie: 14 questions") and question.params["text"].endswith("Langue / Language?")
    assert [b["text"] for b in question.buttons] == ["Francais", "English"]
    assert "SMS ou par USSD" in offer.params["text"] and "facultatif" in offer.params["text"]  # why it is asked
    [[button]] = offer.markup["keyboard"]
    assert button["request_contact"] is True and offer.markup["one_time_keyboard"] is True
    citizen.tap("Francais")
    citizen.says("/start")
    assert sum("Partagez votre numéro" in text for text in texts_to(fake_telegram)) == 1


def test_the_users_language_code_preselects_the_flow_language(loaded, client, fake_telegram):
    Citizen(client, fake_telegram, user_id=5550009001, language_code="en-GB").says("/start")
    Citizen(client, fake_telegram, user_id=5550009002, language_code="de").says("/start")
    Citizen(client, fake_telegram, user_id=5550009003, language_code=None).says("hello")
    assert texts_to(fake_telegram, 5550009001)[0].startswith("City hall: 14 questions")
    assert texts_to(fake_telegram, 5550009002)[0].startswith("Mairie: 14 questions")
    assert texts_to(fake_telegram, 5550009003)[0].startswith("Mairie: 14 questions")


def test_a_deep_link_starts_the_named_consultation(citizen, db, fake_telegram):
    citizen.post(citizen.message_update("start_payload"))
    assert count(db, Conversation) == 1
    assert fake_telegram.sent[0].params["text"].startswith("Mairie: 14 questions")


def test_a_deep_link_to_an_unknown_consultation_says_so_and_starts_nothing(citizen, db, fake_telegram):
    citizen.says("/start water-points")
    citizen.says("/start " + "access-barriers" * 5)  # longer than any slug
    assert texts_to(fake_telegram) == ["Ce lien ne correspond à aucune consultation. Envoyez /start pour la consultation en cours."] * 2
    assert count(db, Conversation) == 0


def test_a_repeated_update_changes_nothing(citizen, db, fake_telegram):
    start = citizen.message_update("text", text="/start")
    citizen.post(start)
    sent = len(fake_telegram.sent)
    assert citizen.post(start).status_code == 200
    assert len(fake_telegram.sent) == sent and count(db, InboundMessage) == 1 and count(db, Conversation) == 1
    press = load_update("callback_query", update_id=next(Citizen.update_ids))
    press["callback_query"]["data"] = citizen.last_keyboard_message().buttons[1]["callback_data"]
    citizen.post(press)
    citizen.post(press)
    assert answers(db) == {"lang": "en"} and len(fake_telegram.called("answerCallbackQuery")) == 1
    sticker = citizen.message_update("sticker")
    citizen.post(sticker)
    citizen.post(sticker)
    assert sum("text or the buttons" in t for t in texts_to(fake_telegram)) == 1


def test_a_pressed_button_is_acknowledged_and_answers_as_the_typed_number_would(citizen, db, fake_telegram):
    citizen.says("/start")
    before = len(fake_telegram.calls)
    citizen.tap("English")
    calls = fake_telegram.calls[before:]
    [ack] = [call for call in calls if call.method == "answerCallbackQuery"]
    assert ack.params["callback_query_id"] == load_update("callback_query")["callback_query"]["id"]
    assert calls.index(ack) < calls.index(fake_telegram.sent[-1])  # the spinner stops first
    assert answers(db) == {"lang": "en"}
    assert fake_telegram.sent[-1].params["text"].endswith("Do you agree to answer?")  # after the intro, in English
    assert [b["text"] for b in fake_telegram.sent[-1].buttons] == ["Yes", "No"]


def test_typing_the_number_or_the_label_works_as_on_sms(citizen, db):
    for text in ("/start", "2", "yes", "north"):
        citizen.says(text)
    assert answers(db) == {"lang": "en", "consent": "yes", "district": "nord"}


def test_a_button_of_an_earlier_question_does_not_answer_the_current_one(citizen, db, fake_telegram):
    citizen.says("/start")
    old_buttons = citizen.last_keyboard_message().buttons  # lang: Francais, English
    citizen.tap("Francais")  # now at consent (Oui / Non)
    fake_telegram.clear()
    citizen.press_data(old_buttons[0]["callback_data"])  # "1" on the old message would mean "Oui" now
    assert answers(db) == {"lang": "fr"}
    [ack] = fake_telegram.called("answerCallbackQuery")
    assert ack.params["text"].startswith("Ce bouton correspond à une question précédente")
    [reask] = fake_telegram.sent
    assert reask.params["text"].startswith("Ce bouton correspond à une question précédente")
    assert [b["text"] for b in reask.buttons] == ["Oui", "Non"]


def test_forged_button_data_changes_nothing(citizen, db, fake_telegram):
    citizen.says("/start")
    fake_telegram.clear()
    citizen.press_data("a:zzzz:1")
    citizen.press_data("a:00000000:1")
    assert answers(db) == {}
    assert len(fake_telegram.called("answerCallbackQuery")) == 2


def test_stop_opts_out_and_nothing_more_is_sent_until_start(citizen, db, fake_telegram):
    citizen.says("/start")
    citizen.says("/stop")
    assert "plus de messages" in texts_to(fake_telegram)[-1]
    sent = len(fake_telegram.sent)
    citizen.says("1")
    citizen.sends("sticker")
    citizen.says("/help")
    citizen.says("/lang")
    assert len(fake_telegram.sent) == sent
    with db.session() as session:
        assert session.scalar(select(Participant)).opted_out
    citizen.says("/start")
    assert fake_telegram.sent[-1].params["text"].endswith("Langue / Language?") and fake_telegram.sent[-1].buttons


def test_help_lists_the_commands_and_explains_the_question(citizen, fake_telegram):
    citizen.says("/help")
    assert texts_to(fake_telegram)[-1].startswith("/start : commencer ou reprendre")
    citizen.says("/start")
    citizen.says("/help")
    text = texts_to(fake_telegram)[-1]
    assert text.startswith("/start : commencer") and "Répondez par le numéro de votre choix" in text
    assert text.endswith("Langue / Language?")


def test_lang_offers_the_flow_languages_and_switches_the_conversation(citizen, db, fake_telegram):
    for text in ("/start", "1", "oui"):
        citizen.says(text)
    citizen.says("/lang")
    assert texts_to(fake_telegram)[-1] == "Choisissez votre langue :\n/lang_fr Français\n/lang_en English"
    citizen.says("/lang_en")
    assert texts_to(fake_telegram)[-1] == "Which district do you live in?"
    assert [b["text"] for b in fake_telegram.sent[-1].buttons][:2] == ["1. Centre", "2. North"]
    citizen.says("north")
    with db.session() as session:
        assert session.scalar(select(Conversation.language)) == "en"
    assert answers(db)["district"] == "nord"


def test_lang_before_any_conversation_starts_one_in_that_language(citizen, fake_telegram):
    citizen.says("/lang en")
    assert texts_to(fake_telegram)[0].startswith("City hall: 14 questions")


def test_numbers_and_free_text_remove_the_keyboard(citizen, fake_telegram):
    for text in ("/start", "1", "oui", "nord", "femme"):
        citizen.says(text)
    age = fake_telegram.sent[-1]
    assert age.params["text"] == "Quel age avez-vous ? (en années)" and age.markup == {"remove_keyboard": True}


def test_without_a_bot_token_updates_are_still_recorded_and_replies_wait(loaded, settings, db, fake_telegram):
    client = create_app(settings.replace(TELEGRAM_BOT_TOKEN=None)).test_client()
    response = Citizen(client, fake_telegram).says("/start")
    assert response.status_code == 200 and fake_telegram.calls == []
    with db.session() as session:
        statuses = session.scalars(select(OutboundMessage.status)).all()
        assert statuses and set(statuses) == {"queued"}
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1
    assert str(USER_ID) not in "".join(statuses)
    assert count(db, Answer) == 0


def test_with_redis_down_the_update_is_taken_and_its_reply_waits_for_outbox_retry(loaded, settings, db, fake_telegram, caplog):
    broken = create_app(settings.replace(REDIS_URL="redis://127.0.0.1:1/0"))  # no worker reachable
    person = Citizen(broken.test_client(), fake_telegram)
    response = person.says("/start")
    assert response.status_code == 200, "Telegram would resend the update, and we would take it as a repeat"
    assert fake_telegram.called("sendMessage") == []
    with db.session() as session:
        waiting = session.scalars(select(OutboundMessage).where(OutboundMessage.status == "queued")).all()
    assert waiting and all(m.next_attempt_at is not None for m in waiting)
    assert "outbox retry" in caplog.text and str(USER_ID) not in caplog.text
    broken.extensions["palabre.database"].dispose()

    result = loaded.test_cli_runner().invoke(args=["outbox", "retry"])  # Redis back; here: jobs inline
    assert result.exit_code == 0 and f"{len(waiting)} due messages handed to the send job." in result.output
    assert len(fake_telegram.called("sendMessage")) == len(waiting)
    with db.session() as session:
        assert {m.status for m in session.scalars(select(OutboundMessage))} == {"sent"}


def test_a_command_addressed_to_the_bot_by_name_is_that_command(citizen, db, fake_telegram):
    # Telegram sends /help@palabre_bot when a command is picked from the menu or typed in a group.
    citizen.says("/help")
    citizen.says("/help@palabre_bot")
    plain_help, addressed_help = texts_to(fake_telegram)
    assert addressed_help == plain_help
    citizen.says("/start@palabre_bot")
    assert texts_to(fake_telegram)[2].startswith("Mairie: 14 questions")
    fake_telegram.clear()
    citizen.says("/help@Palabre_Bot")
    [reply] = texts_to(fake_telegram)
    assert reply.startswith("/start : commencer") and reply.endswith("Langue / Language?")
    citizen.says("/stop@palabre_bot")
    with db.session() as session:
        assert session.scalar(select(Participant)).opted_out


def test_blocking_the_bot_opts_the_citizen_out_at_once_and_nothing_is_sent_to_them(citizen, db, fake_telegram):
    citizen.says("/start")
    citizen.tap("Francais")
    fake_telegram.clear()
    blocked = load_update("my_chat_member_kicked")  # captured from the Bot API when a user blocks a bot
    assert citizen.post(blocked).status_code == 200
    assert citizen.post(blocked).status_code == 200  # resent by Telegram: still once
    with db.session() as session:
        assert session.scalar(select(Participant)).opted_out
        assert session.scalar(select(Conversation.status)) == "opted_out"
        assert session.scalar(select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status == "queued")) == 0
    assert fake_telegram.calls == []
    assert answers(db) == {"lang": "fr"}
    citizen.says("1")  # what a stale client might still deliver: not a word back
    assert fake_telegram.calls == []
    citizen.says("/start")  # unblocking and pressing Start brings them back, as after /stop
    assert fake_telegram.sent[-1].params["text"].endswith("Acceptez-vous de répondre ?")


def test_blocking_the_bot_before_any_conversation_sends_nothing(citizen, db, fake_telegram):
    assert citizen.post(load_update("my_chat_member_kicked")).status_code == 200
    assert fake_telegram.calls == [] and count(db, Conversation) == 0 and count(db, OutboundMessage) == 0


def test_a_button_of_an_inline_message_is_answered_so_it_stops_spinning(citizen, db, fake_telegram):
    # Pressed under a message sent via the bot in inline mode: the query has inline_message_id, no message.
    update = load_update("callback_query_inline")
    assert citizen.post(update).status_code == 200
    [ack] = fake_telegram.called("answerCallbackQuery")
    assert ack.params["callback_query_id"] == update["callback_query"]["id"]
    assert fake_telegram.sent == [] and count(db, InboundMessage) == 0 and answers(db) == {}
