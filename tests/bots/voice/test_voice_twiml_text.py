"""The voice channel writes its TwiML by hand (bots/twiml_text.py): it must stay what twilio's own builder writes."""

from __future__ import annotations

from hypothesis import given, strategies as st
from twilio.twiml.voice_response import Gather, VoiceResponse

from bots.twiml_text import Verb, response
from bots.voice_twiml import render_goodbye, render_question, render_record, render_reject
from flows.events import Ask

# Prompts in any language, with markup characters, quotes, line breaks and tabs (XML 1.0 cannot carry
# other control characters, and the inbound path strips them).
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t\r"), max_size=40)
LANGUAGE = st.sampled_from(["fr-FR", "en-US", "en-GB", None])
# What the voice channel does to a response or a <Gather>, as (verb, arguments).
SPEAK = st.one_of(st.tuples(st.just("say"), TEXT, LANGUAGE), st.tuples(st.just("play"), TEXT))
GATHER = st.fixed_dictionaries({
    "input": st.just("dtmf"), "action": TEXT, "method": st.just("POST"), "timeout": st.integers(1, 30),
    "action_on_empty_result": st.booleans(), "num_digits": st.one_of(st.none(), st.integers(1, 9)),
    "finish_on_key": st.one_of(st.none(), st.just("#")),
})
TOP = st.one_of(SPEAK, st.tuples(st.just("gather"), GATHER, st.lists(SPEAK, max_size=4)), st.tuples(st.just("hangup")),
                st.tuples(st.just("reject"), st.sampled_from(["busy", "rejected"])),
                st.tuples(st.just("record"), TEXT, st.integers(1, 120), st.booleans()))


def _speak(parent, operation):
    if operation[0] == "say":
        parent.say(operation[1], language=operation[2])
    else:
        parent.play(operation[1])


def _build(operations, root, gather):
    for operation in operations:
        if operation[0] == "gather":
            node = gather(**operation[1])
            for inner in operation[2]:
                _speak(node, inner)
            root.append(node)
        elif operation[0] == "hangup":
            root.hangup()
        elif operation[0] == "reject":
            root.reject(reason=operation[1])
        elif operation[0] == "record":
            root.record(action=operation[1], method="POST", max_length=operation[2], finish_on_key="#",
                        play_beep=operation[3])
        else:
            _speak(root, operation)
    return str(root)


@given(st.lists(TOP, max_size=6))
def test_every_answer_is_written_as_twilio_writes_it(operations):
    ours = _build(operations, response(), lambda **attrs: Verb("Gather", **attrs))
    assert ours == _build(operations, VoiceResponse(), Gather)


def test_a_question_escapes_its_words_and_names_its_keys():
    ask = Ask(question_id="district", text='Quartier "A & B" <nord>?', kind="choice",
              options=(("nord", "Nord"), ("sud", "Sud")), listed=True)
    xml = render_question(ask, "fr", "/voice/twilio?step=3")
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/voice/twilio?step=3" '
                          'actionOnEmptyResult="true" input="dtmf" method="POST" numDigits="1" timeout="8">')
    assert '<Say language="fr-FR">Quartier "A &amp; B" &lt;nord&gt;?</Say>' in xml
    assert "Nord" in xml and "Sud" in xml and xml.endswith("</Gather></Response>")


def test_goodbye_record_and_reject_are_whole_documents():
    assert render_reject() == '<?xml version="1.0" encoding="UTF-8"?><Response><Reject reason="busy" /></Response>'
    assert render_goodbye("voice_goodbye", "Au revoir", "fr").endswith(
        '<Say language="fr-FR">Au revoir</Say><Hangup /></Response>')
    assert '<Record action="/voice/twilio?step=5" finishOnKey="#" maxLength="' in render_record("en", "/voice/twilio?step=5")
