"""Render the engine's events as TwiML for a call: prompts said (or played), then one <Gather> for the question.

    <Response>
      <Say language="fr-FR">intro</Say> <Say>keys notice</Say>
      <Gather input="dtmf" action="/voice/twilio?step=N+1" numDigits="1"|finishOnKey="#" actionOnEmptyResult="true">
        <Say>error</Say> <Say>question</Say> <Say>Pour Nord, tapez 2.</Say> ...
      </Gather>
    </Response>
or, when nothing is asked any more, the last words then <Hangup/>.
A free-text question the flow lets calls record (`voice_record`) is asked with its consent keys
(1 to be recorded, 2 to skip) in a one-key <Gather>; after a 1, render_record's <Record> takes the answer.

Facts this module depends on:
- A <Say> or <Play> nested in <Gather> can be interrupted by the first key pressed: a caller who
  knows the answer need not listen to every option.
- With actionOnEmptyResult="true" Twilio posts to the action even when no key was pressed before
  the timeout (Digits empty), instead of falling through to the next verb.
- <Say language> picks Twilio's voice for that BCP-47 tag; a language without one needs recordings.
"""

from __future__ import annotations

from typing import Iterable, Protocol

from bots.twiml_text import Verb, response as new_response
from bots.voice_keys import MAX_KEYED_OPTIONS, ONE_KEY_KINDS
from bots.voice_record import RECORD_MAX_SECONDS, RECORD_SILENCE_SECONDS
from flows.events import Ask, Event, Say
from flows.voice_prompts import SAY_LANGUAGES, words

# Seconds Twilio waits for the first key, and between keys, before posting what it has.
GATHER_TIMEOUT_SECONDS = 8


class Recordings(Protocol):
    """Where a flow's recordings are: a prompt's URL in a language (None: <Say> reads the text instead)."""

    def url(self, key: str, language: str) -> str | None: ...

    def spoken_only(self, language: str) -> bool: ...


class NoRecordings:
    """A flow without recordings: every prompt is read by Twilio's voice."""

    def url(self, key: str, language: str) -> str | None:
        return None

    def spoken_only(self, language: str) -> bool:
        return False


no_audio = NoRecordings()


def render(events: Iterable[Event], language: str, action: str, audio: Recordings = no_audio,
           recorded: frozenset[str] = frozenset()) -> str:
    """The TwiML answering one step of a call: what the events say, then the pending question or a hang-up.

    `recorded`: the ids of the flow's questions a call answers by a recording (asked with their consent keys).
    """
    response = new_response()
    events = list(events)
    asks = [event for event in events if isinstance(event, Ask)]
    for event in events:
        if isinstance(event, Say):
            speak(response, event.key, event.text, language, audio)
            if event.key == "intro":
                speak(response, "voice_keys", words("keys", language), language, audio)
    if asks:
        gather_question(response, asks[-1], language, action, audio, consent=asks[-1].question_id in recorded)
    else:
        response.hangup()
    return str(response)


def render_question(ask: Ask, language: str, action: str, audio: Recordings = no_audio,
                    before: tuple[tuple[str, str], ...] = (), consent: bool = False) -> str:
    """The TwiML asking a question again (after * or 0, or for a retried step), with what to say first."""
    response = new_response()
    for key, text in before:
        speak(response, key, text, language, audio)
    gather_question(response, ask, language, action, audio, consent=consent)
    return str(response)


def render_record(language: str, action: str, audio: Recordings = no_audio) -> str:
    """The TwiML recording a caller's answer, once they agreed: a beep, at most RECORD_MAX_SECONDS, # to finish."""
    response = new_response()
    speak(response, "voice_record_now", words("record_now", language), language, audio)
    response.record(action=action, method="POST", max_length=RECORD_MAX_SECONDS, timeout=RECORD_SILENCE_SECONDS,
                    finish_on_key="#", play_beep=True)
    return str(response)


def render_goodbye(key: str, text: str, language: str, audio: Recordings = no_audio) -> str:
    """The TwiML saying one last thing, then hanging up."""
    response = new_response()
    speak(response, key, text, language, audio)
    response.hangup()
    return str(response)


def render_reject() -> str:
    """Callback mode's answer to a ringing caller: busy, so that the call costs them nothing."""
    response = new_response()
    response.reject(reason="busy")
    return str(response)


def gather_question(response: Verb, ask: Ask, language: str, action: str, audio: Recordings,
                    consent: bool = False) -> None:
    """A <Gather> that asks the question and posts the keys pressed to `action` (with `consent`: 1 record, 2 skip)."""
    if consent:
        gather = Verb("Gather", input="dtmf", action=action, method="POST", timeout=GATHER_TIMEOUT_SECONDS,
                        action_on_empty_result=True, num_digits=1)
        if ask.error:  # the engine's words ask to write: a caller hears that the keys were not understood
            speak(gather, "voice_not_understood", words("not_understood", language), language, audio)
        speak(gather, f"question:{ask.question_id}", ask.text, language, audio)
        speak(gather, "voice_record_consent", words("record_consent", language), language, audio)
        response.append(gather)
        return
    one_key = ask.kind in ONE_KEY_KINDS
    options = {"num_digits": 1} if one_key else {"finish_on_key": "#"}
    gather = Verb("Gather", input="dtmf", action=action, method="POST", timeout=GATHER_TIMEOUT_SECONDS,
                    action_on_empty_result=True, **options)
    if ask.error:  # the engine's words are text: a spoken-only language hears its recorded "not understood"
        if audio.spoken_only(language):
            speak(gather, "voice_not_understood", words("not_understood", language), language, audio)
        else:
            speak(gather, "voice:error", ask.error, language, audio)
    question_key = f"question:{ask.question_id}"
    speak(gather, question_key, ask.text, language, audio)
    # A recorded yes/no prompt says its keys itself ("... press 1 for yes, 2 for no").
    said_keys = not ask.listed or (ask.kind == "yes_no" and audio.url(question_key, language))
    for key, (code, label) in enumerate(() if said_keys else ask.options[:MAX_KEYED_OPTIONS], 1):
        if ask.kind == "language":
            # Each language is offered in its own words, read by its own voice.
            speak(gather, f"choice:{ask.question_id}:{code}", words("press_language", code, label=label, key=str(key)),
                  code, audio)
        else:
            speak(gather, f"choice:{ask.question_id}:{code}", words("press", language, label=label, key=str(key)),
                  language, audio)
    if ask.kind == "number":
        speak(gather, "voice_number", words("number", language), language, audio)
    elif ask.kind == "multi_choice":
        speak(gather, "voice_multi", words("multi", language), language, audio)
    response.append(gather)


def speak(parent, key: str, text: str, language: str, audio: Recordings) -> None:
    """The recording of a prompt when there is one, else the text read by Twilio's voice for the language."""
    url = audio.url(key, language)
    if url:
        parent.play(url)
    elif text and not audio.spoken_only(language):  # never the first language's text in an English voice
        parent.say(text, language=SAY_LANGUAGES.get(language, "en-US"))


def spoken(events: Iterable[Event], language: str, audio: Recordings = no_audio,
           recorded: frozenset[str] = frozenset()) -> list[str]:
    """What a caller hears for these events, line by line, then the keys the call waits for (the simulator's view)."""
    from xml.etree import ElementTree

    root = ElementTree.fromstring(render(events, language, "/voice/twilio", audio, recorded))
    lines = [f"▶ {node.text}" if node.tag == "Play" else (node.text or "") for node in root.iter() if node.tag in ("Say", "Play")]
    gather = root.find("Gather")
    if gather is None:
        lines.append("☎ ✕")  # hangs up
    elif gather.get("numDigits") == "1":
        lines.append("⌨ 1")  # one key
    else:
        lines.append("⌨ … #")  # keys, then the hash key
    return lines
