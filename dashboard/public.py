"""GET /results/<slug>: what the consultation found and what the authority does about it, for everyone."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from dashboard.consultations import consultation_or_404
from dashboard.coverage_view import coverage_of, warnings_of
from dashboard.headline import at_risk_chart, top_at_risk, weighting_of, weighting_sentence
from dashboard.profile_view import dimension_labels, figure, min_cell_of, ranked_groups
from flows.state import COMPLETED
from models import DRAFT, Action, Conversation
from palabre.aggregate import latest_snapshot
from palabre.consultations import flow_of
from palabre.extensions import config, db_session
from profiles.findings import main_dimensions
from profiles.labels import CHANNEL_NAMES
from profiles.suppression import SMALL, suppress_cells, suppression_kind

bp = Blueprint("public", __name__, template_folder="templates")
TOP_GROUPS = 5


def published_channels(by_channel: dict[str, int], min_cell: int) -> tuple[int | None, list[tuple[str, int | None, str | None]]]:
    """The total and each channel's count as published: (total or None, [(name, count or None, why hidden)]).

    The same rule as the profile's groups: a channel under min_cell is hidden, and so is the next
    smallest, or the total minus the others would give it away; a total under min_cell hides everything.
    """
    total = sum(by_channel.values())
    names = {channel: CHANNEL_NAMES.get(channel, channel) for channel in by_channel}
    if total < min_cell:
        return None, [(names[c], None, SMALL) for c in sorted(by_channel, key=names.get)]
    hidden = suppress_cells(by_channel, min_cell)
    return total, [
        (names[c], None, suppression_kind(n, min_cell)) if c in hidden else (names[c], n, None)
        for c, n in sorted(by_channel.items(), key=lambda item: names[item[0]])
    ]


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
    total, channels = published_channels(by_channel, min_cell)
    overall = figure(flow, "", data.get("overall") or {}, language) if data else None
    # Only published groups, and only reliable ones: the public reads no figure it should not lean on.
    top = top_at_risk(ranked_groups(flow, data, language), reliable_only=True, count=TOP_GROUPS) if data else []
    actions = list(session.scalars(select(Action).where(Action.consultation_id == consultation.id).order_by(Action.due_date, Action.id)))
    return render_template(
        "results.html", consultation=consultation, flow=flow, total=total, channels=channels,
        overall=overall, top=top, findings=(data.get("findings") or {}).get(language, []), actions=actions,
        dims=dimension_labels(flow, language), min_cell=min_cell, snapshot=snapshot, main_dimensions=main_dimensions,
        chart=at_risk_chart(flow, top, language), weighted=weighting_sentence(weighting_of(flow, data, language)),
        warnings=warnings_of(flow, data, language), coverage=coverage_of(flow, data, language),
    )
