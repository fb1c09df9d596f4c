"""GET /results/<slug>: what the consultation found and what the authority does about it, for everyone."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from dashboard.consultations import consultation_or_404
from palabre.aggregate import latest_snapshot
from dashboard.profile_view import dimension_labels, figure, min_cell_of, ranked_groups
from flows.state import COMPLETED
from models import DRAFT, Action, Conversation
from palabre.consultations import flow_of
from palabre.extensions import config, db_session

bp = Blueprint("public", __name__, template_folder="templates")
TOP_GROUPS = 5


@bp.get("/results/<slug>")
def results(slug: str):
    """The public results page (no login): purpose, participation, who is at risk, actions."""
    consultation = consultation_or_404(slug)
    if consultation.status == DRAFT:
        abort(404, _("No consultation is called '%(slug)s'.", slug=slug))
    flow = flow_of(consultation)
    session = db_session()
    language = str(get_locale())
    snapshot = latest_snapshot(session, consultation.id)
    data = snapshot.data if snapshot else {}
    min_cell = min_cell_of(data, flow, config().MIN_CELL)
    by_channel = dict(session.execute(
        select(Conversation.channel, func.count())
        .where(Conversation.consultation_id == consultation.id, Conversation.status == COMPLETED)
        .group_by(Conversation.channel)
    ).all())
    total = sum(by_channel.values())
    # Counts below the minimum cell are published as "fewer than N", like every other figure.
    channels = [(channel, n if n >= min_cell else None) for channel, n in sorted(by_channel.items())]
    overall = figure(flow, "", data.get("overall") or {}, language) if data else None
    top = [g for g in ranked_groups(flow, data, language) if not g.suppressed and g.reliable][:TOP_GROUPS] if data else []
    actions = list(session.scalars(select(Action).where(Action.consultation_id == consultation.id).order_by(Action.due_date, Action.id)))
    return render_template(
        "results.html", consultation=consultation, flow=flow, total=total if total >= min_cell else None, channels=channels,
        overall=overall, top=top, findings=(data.get("findings") or {}).get(language, []), actions=actions,
        dims=dimension_labels(flow, language), min_cell=min_cell, snapshot=snapshot,
    )
