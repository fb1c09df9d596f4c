"""The cost preview of inviting people by call: calls x estimated billed minutes x Twilio's price per minute."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from bots.voice_cost import ANSWER_SECONDS, call_estimates
from bots.voice_record import RECORD_MAX_SECONDS
from dashboard.consultations import consultation_or_404
from dashboard.security import login_required
from palabre.call_minutes import SPOKEN_WORDS_PER_MINUTE
from palabre.consultations import flow_of
from palabre.extensions import config

bp = Blueprint("call_cost", __name__, url_prefix="/dashboard/<slug>/calls", template_folder="templates")
DEFAULT_CALLS = 100
# More numbers than any invitation list a town would send; a bigger figure is a typing mistake.
MAX_CALLS = 10_000_000


@bp.get("/cost")
@login_required
def preview(slug: str):
    """Estimate what inviting `calls` people by call costs, per language, before `invite --channel voice`."""
    consultation = consultation_or_404(slug)
    flow = flow_of(consultation)
    raw = request.args.get("calls", str(DEFAULT_CALLS)).strip()
    problem = None
    if raw.isdigit() and int(raw) <= MAX_CALLS:
        calls = int(raw)
    else:
        problem = _("Give the number of people to call as a whole number from 0 to %(max)s.", max="{:,}".format(MAX_CALLS))
        calls = DEFAULT_CALLS
    settings = config()
    estimates = call_estimates(flow)
    longest = max(estimates, key=lambda estimate: estimate.seconds)  # the headline: the dearest language
    return render_template("call_cost.html", consultation=consultation, estimates=estimates, longest=longest, calls=calls,
                           price=settings.VOICE_PRICE_PER_MINUTE, currency=settings.SMS_PRICE_CURRENCY,
                           recorded=any(q.voice_record for q in flow.questions), problem=problem,
                           words_per_minute=SPOKEN_WORDS_PER_MINUTE, answer_seconds=ANSWER_SECONDS,
                           record_seconds=RECORD_MAX_SECONDS), 422 if problem else 200
