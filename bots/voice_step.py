"""One step of a call: the keys pressed read against the pending question, handed to the shared path once, TwiML back.

    step 0 (the call comes in, or we placed it): resume or start, intro, first question
    step N: Digits read for the question asked (bots/voice_keys.py): * and 0 are answered here,
            nothing stored; anything else goes to palabre.inbound under `<CallSid>:<N>`
    a step seen before (Twilio retried it): the question now pending, its keys never read again
    a call we placed to say a message ("you said, we did"): its text, goodbye, hang up; nothing stored
    free-text questions: passed over with the engine's skip word (a keypad cannot write), unless the
            flow lets calls record them (`voice_record`):
              step N asks the question and the consent keys; step N+1: 1 -> <Record action="?step=N+2">
              (nothing stored yet), 2 -> the skip word, no key -> an unreadable answer (asked again, then
              moved on after 3 tries), 9 -> STOP; step N+2 (Twilio's <Record> action) -> the answer
              `[recording]`, and the recording's id kept beside it (palabre/call_recordings.py)
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, select

from bots.text import render_messages
from bots.voice_caller import DEFAULT_LANGUAGE, Caller, caller_flow, conversation_flow, find_caller, latest_flow
from bots.voice_audio import FlowRecordings
from bots.voice_keys import HELP, ONE_KEY_KINDS, RECORD, REPEAT, SILENT, SKIP, STOP, UNCLEAR, read_consent, read_keys
from bots.voice_twiml import NoRecordings, Recordings, render, render_goodbye, render_question, render_record
from flows import engine
from flows.events import AnswerRecorded, Ask, OptedOut, Say
from flows.model import Flow
from flows.voice_prompts import words
from models import InboundMessage
from palabre import identity
from palabre.call_recordings import RECORDED_ANSWER, Recording, store_recording
from palabre.config import Config
from palabre.inbound import Inbound, Outcome, handle_inbound
from palabre.outbound import record_inline_replies
from palabre.recordings import uploaded
from palabre.voice_calls import invited_to, said_by_call

CHANNEL = "voice"
PATH = "/voice/twilio"
# A flow's free-text questions cannot be answered on a keypad: each is passed over with the
# engine's own skip word (an optional one is skipped; a required one, after its tries, is
# recorded as not understood), at most this many times in one step.
SKIP_WORD = "skip"
MAX_SKIPS = 30
# An answering machine, or a phone put down without hanging up, never presses a key: at this many
# timeouts in a row (one question moved on by the engine after its 3 tries, the next one unanswered
# twice) the call ends, and the next call resumes where it stopped, instead of walking the flow on silence.
MAX_SILENT_STEPS = 6


def answer(connection: Connection, settings: Config, call_sid: str, step: int, phone: str, digits: str,
           now: datetime, outbound: bool = False, base_url: str = "", record_action: bool = False,
           recording: Recording | None = None) -> tuple[str, list[Outcome]]:
    """The TwiML for one step of a call, and the outcomes to act on once committed; the step is applied once.

    `record_action`: the request is a <Record>'s action, reporting `recording` (None: nothing was recorded).
    """
    action = f"{PATH}?step={step + 1}"
    key = f"{call_sid}:{step}"
    caller = find_caller(connection, settings.PSEUDONYM_KEY, phone, CHANNEL, key)
    if caller is not None and caller.seen:  # Twilio retried a step we took: never read its keys a second time
        return _again(connection, settings, caller, action, base_url), []
    text, consultation, shown = "", None, None
    if step == 0 and outbound:
        said = said_by_call(connection, call_sid)
        if said is not None:  # a "you said, we did" message: said, then goodbye; no conversation is touched
            return _message(connection, said), []
        consultation = invited_to(connection, call_sid)  # a call we placed to invite them: to that consultation
    if step > 0:
        shown = _pending(connection, caller)
        if shown is None:
            return _again(connection, settings, caller, action, base_url), []
        flow, ask, language, _conversation = shown
        records = _records(flow, ask)
        if record_action and not records:  # a recording for a question no longer pending (answered meanwhile)
            return _again(connection, settings, caller, action, base_url), []
        silent = not record_action and not digits.strip()
        if silent and _silent_before(connection, call_sid, step) >= MAX_SILENT_STEPS - 1:
            return render_goodbye("voice_silent", words("silent", language), language,
                                  _recordings(settings, base_url, flow)), []
        if record_action:
            text = RECORDED_ANSWER if recording is not None else ""  # nothing recorded: an answer not understood
        elif records:
            consent = read_consent(digits)
            if consent == RECORD:  # nothing is stored until Twilio posts the recording
                return render_record(language, action, _recordings(settings, base_url, flow)), []
            if consent in (REPEAT, UNCLEAR):
                before = (("voice_not_understood", words("not_understood", language)),) if consent == UNCLEAR else ()
                return render_question(ask, language, action, _recordings(settings, base_url, flow), before=before,
                                       consent=True), []
            text = {SKIP: SKIP_WORD, STOP: "STOP", SILENT: ""}[consent]
        elif ask.kind == "text":  # free text a keypad cannot write (another channel moved the caller here): passed over
            text = "STOP" if read_keys(digits, ask.kind).command == STOP else SKIP_WORD
        else:
            keys = read_keys(digits, ask.kind)
            if keys.command == REPEAT:
                return render_question(ask, language, action, _recordings(settings, base_url, flow)), []
            if keys.command == HELP:
                return render_question(ask, language, action, _recordings(settings, base_url, flow), before=_help(ask, language)), []
            text = "STOP" if keys.command == STOP else keys.text
    outcome = handle_inbound(connection, settings, Inbound(CHANNEL, identity.TEL, phone, text, external_id=key,
                                                        consultation=consultation, new_session=step == 0), now)
    if outcome.duplicate:  # the same step, taken meanwhile by another process (or a flood of calls)
        connection.rollback()
        return _again(connection, settings, find_caller(connection, settings.PSEUDONYM_KEY, phone, CHANNEL, key), action,
                      base_url), []
    outcomes, events = [outcome], list(outcome.events)
    same = shown is not None and shown[3] == outcome.conversation_id  # the flow read above: no second read
    flow = shown[0] if same else conversation_flow(connection, outcome.conversation_id)[0]
    recorded = frozenset(q.id for q in flow.questions if q.voice_record) if flow is not None else frozenset()
    if record_action and recording is not None and shown is not None and _recorded(events, shown[1].question_id):
        store_recording(connection, outcome.conversation_id, shown[1].question_id, recording, now)  # type: ignore[arg-type]
        events.insert(0, Say("voice_recorded", words("recorded", shown[2])))
    while not outcomes[-1].finished and _asks_text(events, recorded) and len(outcomes) <= MAX_SKIPS:
        skipped = handle_inbound(connection, settings, Inbound(CHANNEL, identity.TEL, phone, SKIP_WORD,
                                                            external_id=f"{key}:skip{len(outcomes)}"), now)
        outcomes.append(skipped)
        events = [event for event in events if not isinstance(event, Ask)] + skipped.events  # never said: passed over
    language = next((o.language for o in reversed(outcomes) if o.language), None) or _latest_language(connection, outcome, caller)
    recordings = _recordings(settings, base_url, flow)
    if not events:  # someone who opted out: the shared path stays silent, a call must say something
        connection.commit()
        return render_goodbye("voice_already_out", words("already_out", language), language, recordings), []
    if any(isinstance(event, OptedOut) for event in events):
        xml = render_goodbye("voice_opted_out", words("opted_out", language), language, recordings)
    else:
        xml = render(events, language, action, recordings, recorded)
    record_inline_replies(connection, outcome.participant_id, CHANNEL, ["\n".join(render_messages(events))],  # type: ignore[arg-type]
                          outcomes[-1].conversation_id, outcome.inbound_id, now)
    connection.commit()
    return xml, outcomes


def _silent_before(connection: Connection, call_sid: str, step: int) -> int:
    """How many steps just before this one, in this call, were timeouts (stored with no keys)."""
    keys = [f"{call_sid}:{n}" for n in range(max(1, step - MAX_SILENT_STEPS), step)]
    texts = dict(connection.execute(select(InboundMessage.external_id, InboundMessage.text).where(
        InboundMessage.channel == CHANNEL, InboundMessage.external_id.in_(keys))).all())
    silent = 0
    for key in reversed(keys):
        if texts.get(key) != "":
            break
        silent += 1
    return silent


def _again(connection: Connection, settings: Config, caller: Caller | None, action: str, base_url: str) -> str:
    """A step with nothing new: the question now pending, or goodbye when nothing is."""
    shown = _pending(connection, caller)
    if shown is not None:
        flow, ask, language, _conversation = shown
        return render_question(ask, language, action, _recordings(settings, base_url, flow), consent=_records(flow, ask))
    language = (caller.language if caller is not None else None) or DEFAULT_LANGUAGE
    recordings = _recordings(settings, base_url, caller_flow(connection, caller))
    if caller is not None and caller.opted_out:
        return render_goodbye("voice_opted_out", words("opted_out", language), language, recordings)
    return render_goodbye("voice_goodbye", words("goodbye", language), language, recordings)


def _message(connection: Connection, said: tuple[str, int]) -> str:
    """A call that says a message in the language the person answered in (the flow's first when it has no voice)."""
    text, participant_id = said
    flow, language = latest_flow(connection, participant_id)
    if flow is not None and language not in flow.languages:  # a spoken-only language: the message is written
        language = flow.default_language
    return render_goodbye("voice_message", f"{text} {words('goodbye', language)}", language)


def _pending(connection: Connection, caller: Caller | None) -> tuple[Flow, Ask, str, int] | None:
    """The flow, question, language and id of the conversation a caller's call waits on, if any."""
    if caller is None or not caller.waiting:
        return None
    flow, state = caller_flow(connection, caller), caller.state
    assert flow is not None and state is not None and state.current is not None and caller.conversation_id is not None
    return flow, engine.ask(flow, state, flow.question(state.current)), state.language, caller.conversation_id


def _latest_language(connection: Connection, outcome: Outcome, caller: Caller | None) -> str:
    """The language of the conversation a step ended in (the caller's latest when it touched none)."""
    if outcome.conversation_id is not None:
        return conversation_flow(connection, outcome.conversation_id)[1]
    return (caller.language if caller is not None else None) or DEFAULT_LANGUAGE


def _recordings(settings: Config, base_url: str, flow: Flow | None) -> Recordings:
    """The flow's recordings, as URLs under this site (Twilio fetches them), or none."""
    if flow is None:
        return NoRecordings()
    uploads = uploaded(settings.INSTANCE_DIR, flow.id)
    if not (uploads or flow.audio or flow.voice_languages or any(q.audio for q in flow.questions)):
        return NoRecordings()
    return FlowRecordings(flow, Path(settings.FLOWS_DIR), settings.PUBLIC_BASE_URL or base_url, uploads)


def _help(ask: Ask, language: str) -> tuple[tuple[str, str], ...]:
    how = "help_one_key" if ask.kind in ONE_KEY_KINDS else "help_number" if ask.kind == "number" else "help_multi"
    return (f"voice_{how}", words(how, language)), ("voice_keys", words("keys", language))


def _asks_text(events: list, recorded: frozenset[str]) -> bool:
    """Whether the question asked last is free text a keypad cannot answer (not one the call records)."""
    asks = [event for event in events if isinstance(event, Ask)]
    return bool(asks) and asks[-1].kind == "text" and asks[-1].question_id not in recorded


def _records(flow: Flow, ask: Ask) -> bool:
    """Whether a call answers this question by a recording (after the caller's consent)."""
    return ask.kind == "text" and flow.question(ask.question_id).voice_record


def _recorded(events: list, question_id: str) -> bool:
    """Whether the engine took the recording as the answer to this question."""
    return any(isinstance(e, AnswerRecorded) and e.question_id == question_id and e.valid for e in events)
