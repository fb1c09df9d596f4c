"""The SMS webhook writes its TwiML by hand: it must stay what twilio's own builder writes."""

from __future__ import annotations

from hypothesis import given, strategies as st
from twilio.twiml.messaging_response import MessagingResponse

from bots.sms import messaging_twiml

# What a reply can hold: the flow's words in any language, markup characters, line breaks and tabs
# (control characters are stripped from what citizens send, and XML 1.0 cannot carry them).
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t"), max_size=60)


def twilio_twiml(texts: list[str]) -> str:
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)


@given(st.lists(TEXT, max_size=4))
def test_replies_are_written_as_twilio_writes_them(texts):
    assert messaging_twiml(texts) == twilio_twiml(texts)


def test_markup_in_a_reply_is_escaped_and_no_reply_is_an_empty_response():
    assert messaging_twiml(["1 < 2 & 3 > 2 \"ok\""]) == (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>1 &lt; 2 &amp; 3 &gt; 2 "ok"</Message></Response>')
    assert messaging_twiml([]) == '<?xml version="1.0" encoding="UTF-8"?><Response />'
