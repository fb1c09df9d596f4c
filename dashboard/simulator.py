"""Try a consultation as a citizen, with its SMS, USSD, Telegram and voice renderings side by side; nothing is stored."""

from __future__ import annotations

import time

from flask import Blueprint, redirect, render_template, request, session, url_for

from palabre.sms_segments import count_segments
from bots.text import render_messages
from bots.ussd_screen import render_screen
from bots.voice_twiml import spoken
from dashboard.consultations import consultation_or_404
from dashboard.security import check_csrf, login_required
from flows import engine
from flows.events import Ask, Event, Say
from flows.state import ACTIVE, State
from palabre.consultations import flow_of

bp = Blueprint("simulator", __name__, url_prefix="/dashboard/<slug>/simulator", template_folder="templates")
bp.before_request(check_csrf)
MAX_INPUT = 1600  # an SMS body's limit
HISTORY = 30


def render_views(events: list[Event], finished: bool, language: str = "fr", recorded: frozenset[str] = frozenset()) -> dict:
    """The four channels' views of one step, as plain data (kept in the session between requests).

    `recorded`: the questions a call answers by a recording (`voice_record`): voice shows their consent keys.
    """
    asks = [e for e in events if isinstance(e, Ask)]
    question = asks[-1] if asks else None
    return {
        "sms": [{"text": text, "encoding": (c := count_segments(text)).encoding, "segments": c.segments}
                for text in render_messages(events)],
        "ussd": ("END " if finished else "CON ") + render_screen(events),
        "telegram": {
            "messages": [e.text for e in events if isinstance(e, Say) and e.text],
            "question": None if question is None else {
                "text": question.text, "error": question.error, "hint": question.hint,
                "buttons": [[str(i), label] for i, (_, label) in enumerate(question.options, 1)],
            },
        },
        "voice": spoken(events, language, recorded=recorded),  # the spoken script, then the keys it waits for
    }


@bp.route("/", methods=["GET", "POST"])
@login_required
def simulate(slug: str):
    """Start, continue or restart a simulated conversation kept in the official's session."""
    consultation = consultation_or_404(slug)
    flow = flow_of(consultation)
    key = f"sim:{slug}"
    if request.method == "POST" and request.form.get("restart"):
        session.pop(key, None)
        return redirect(url_for(".simulate", slug=slug))
    saved = session.get(key)
    if saved is None:
        state, events = engine.start(flow, time.time())
        saved = {"history": []}
    elif request.method == "POST":
        text = request.form.get("text", "")[:MAX_INPUT]
        state, events = engine.step(flow, State.from_json(saved["state"]), text, time.time())
        saved["history"] = (saved["history"] + [text])[-HISTORY:]
    else:
        return render_template("simulator.html", consultation=consultation, **saved)
    recorded = frozenset(q.id for q in flow.questions if q.voice_record)
    saved.update(state=state.to_json(), view=render_views(events, state.status != ACTIVE, state.language, recorded),
                 finished=state.status != ACTIVE)
    session[key] = saved
    return render_template("simulator.html", consultation=consultation, **saved)
