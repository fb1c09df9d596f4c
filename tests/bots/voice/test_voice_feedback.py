""""You said, we did" to someone who answered by phone: the preview prices the call, the call says the message."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from fakes.twilio_voice import Call
from models import Action, Consultation, Conversation, InboundMessage
from palabre.accounts import create_user
from tests.bots.voice.test_voice_call import ENGLISH_KEYS, PHONE

PASSWORD = "correct horse battery"
TEXTS = {"text_fr": "Vous avez dit, nous faisons : un guichet mobile le mardi.",
         "text_en": "You said, we did: a mobile office on Tuesdays."}


def test_a_voice_respondent_is_called_and_hears_the_message_priced_in_the_preview(call, db, app, client, fake_twilio):
    phone_call = call()
    phone_call.answer()
    for key in ENGLISH_KEYS:
        phone_call.press(key)
    with db.session() as session:
        consultation = session.scalar(select(Consultation).where(Consultation.slug == "access-barriers"))
        action = Action(consultation_id=consultation.id, title={"fr": "Guichet mobile", "en": "Mobile office"},
                        description={}, groups=[], status="planned")
        session.add(action)
        create_user(session, "admin@city.example", PASSWORD, "admin")
        session.commit()
        action_id = action.id
    official = app.test_client()
    token = re.search(rb'name="csrf_token" value="([^"]+)"', official.get("/login?lang=en").data).group(1).decode()
    official.post("/login", data={"email": "admin@city.example", "password": PASSWORD, "csrf_token": token})
    url = f"/dashboard/access-barriers/actions/{action_id}/broadcast?lang=en"
    form = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', official.get(url).get_data(as_text=True)).group(1), **TEXTS}
    preview = official.post(url, data={**form, "confirm": "preview"}).get_data(as_text=True)
    row = re.search(r"<tr><td>en</td>(.*?)</tr>", preview, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    # Recipients 1, by SMS 0, GSM-7, 1 segment, by call 1; one billed minute at VOICE_PRICE_PER_MINUTE (0.20 USD).
    assert cells == ["1", "0", "GSM-7", "1", "1", "0.20 USD"]
    assert "each call is billed 1 minute(s) at most, at 0.2 USD a minute" in preview
    form["form_key"] = re.search(r'name="form_key" value="([^"]+)"', preview).group(1)
    assert official.post(url, data={**form, "confirm": "send"}).status_code == 302
    assert [placed.form["To"] for placed in fake_twilio.calls] == [PHONE]
    with db.session() as session:
        before = (session.scalar(select(func.count()).select_from(InboundMessage)),
                  session.scalar(select(func.count()).select_from(Conversation)))
    heard = Call(client, PHONE, direction="outbound-api", sid=fake_twilio.calls[0].sid).answer()
    assert heard.said == [f"{TEXTS['text_en']} Thank you, goodbye."] and heard.hung_up and heard.gather is None
    with db.session() as session:  # the call says something: it answers no question and starts no conversation
        assert (session.scalar(select(func.count()).select_from(InboundMessage)),
                session.scalar(select(func.count()).select_from(Conversation))) == before
