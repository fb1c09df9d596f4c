"""/dashboard: the consultations, how citizens reach them, and opening or closing them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from dashboard.charts import horizontal_bars, interval_plot, stacked_columns, stacked_shares
from dashboard.coverage_view import coverage_of, warnings_of
from dashboard.problems import translated_problem
from dashboard.profile_view import (
    dimension_labels, figure, indicator_rows, min_cell_of, question_labels, ranked_groups, target_label,
)
from dashboard.progress import progress_of
from dashboard.reach import reach_of
from dashboard.security import admin_required, check_csrf, login_required
from dashboard.outbox_panel import outbox_panel
from dashboard.headline import at_risk_chart, top_at_risk, weighting_of, weighting_sentence
from flows.state import ACTIVE
from models import CLOSED, OPEN, Action, Consultation, Conversation
from palabre.aggregate import latest_snapshot
from palabre.consultations import UnknownConsultation, flow_of, get_consultation, set_status
from palabre.extensions import config, db_session
from profiles.labels import CHANNEL_NAMES, group_label
from workers.outbox import status_counts, waiting

bp = Blueprint("consultations", __name__, url_prefix="/dashboard", template_folder="templates")
bp.before_request(check_csrf)


def localised(text: dict | None, fallback: str = "") -> str:
    """A per-language text in the page's language, else the first one given."""
    if not text:
        return fallback
    return text.get(str(get_locale())) or next(iter(text.values()))


@bp.app_template_global()
def tr(text: dict | None, fallback: str = "") -> str:
    """Template helper: pick the page's language from a per-language text."""
    return localised(text, fallback)


@bp.app_template_global()
def group_words(flow, variable: str, value) -> str:
    """Template helper: a group as words in the page's language ("Quartier : Nord"), never district=nord."""
    return target_label(flow, variable, value, str(get_locale()))


def consultation_or_404(slug: str) -> Consultation:
    """The consultation with this slug, or a clear 404."""
    try:
        return get_consultation(db_session(), slug)
    except UnknownConsultation:
        abort(404, _("No consultation is called '%(slug)s'.", slug=slug))


@bp.get("/")
@login_required
def index():
    """List consultations with their status, purposes, commitment and ways in."""
    session = db_session()
    consultations = list(session.scalars(select(Consultation).order_by(Consultation.id)))
    counts: dict[int, dict[str, int]] = {}
    for consultation_id, status, count in session.execute(
        select(Conversation.consultation_id, Conversation.status, func.count())
        .group_by(Conversation.consultation_id, Conversation.status)
    ):
        counts.setdefault(consultation_id, {})[status] = count
    rows = [
        {"consultation": c, "flow": flow_of(c), "reach": reach_of(c, config()), "counts": counts.get(c.id, {})}
        for c in consultations
    ]
    return render_template("consultations.html", rows=rows, outbox=outbox_panel(status_counts(session)), retrying=waiting(session))


@bp.post("/<slug>/status")
@admin_required
def change_status(slug: str):
    """Open or close a consultation."""
    consultation = consultation_or_404(slug)
    status = request.form.get("status")
    if status not in (OPEN, CLOSED):
        abort(422, _("Status must be open or closed."))
    if status == CLOSED and consultation.status == OPEN and request.form.get("confirm") != "yes":
        # Closing stops citizens from starting it: a second, explicit step, never one stray click.
        in_progress = db_session().scalar(select(func.count()).where(
            Conversation.consultation_id == consultation.id, Conversation.status == ACTIVE))
        return render_template("close_confirm.html", consultation=consultation, in_progress=in_progress or 0)
    set_status(db_session(), consultation, status)
    db_session().commit()
    flash(_("%(slug)s is now %(status)s.", slug=slug, status=_(status)))
    return redirect(request.referrer if _same_site(request.referrer) else url_for(".index"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)  # type: ignore[union-attr]


@bp.get("/<slug>")
@login_required
def detail(slug: str):
    """A consultation's progress, its latest exclusion profile, and the actions taken."""
    consultation = consultation_or_404(slug)
    flow = flow_of(consultation)
    session = db_session()
    language = str(get_locale())
    progress = progress_of(session, consultation, flow)
    snapshot = latest_snapshot(session, consultation.id)
    data = snapshot.data if snapshot else {}
    actions = list(session.scalars(select(Action).where(Action.consultation_id == consultation.id).order_by(Action.id)))
    days = list(progress.by_day)
    questions = question_labels(flow, language)
    charts = {
        "over_time": stacked_columns(
            [d.strftime("%d/%m") for d in days],
            {CHANNEL_NAMES.get(channel, channel): [progress.by_day[d].get(channel, 0) for d in days] for channel in progress.channels},
            _("Conversations started per day, by channel"),
        ) if days else None,
        "stopped": horizontal_bars(
            [(questions.get(q, q), float(n), str(n)) for q, n in progress.stopped_at],
            _("Unfinished conversations by the question they stopped at"),
        ),
    }
    groups = ranked_groups(flow, data, language) if data else []
    dims = dimension_labels(flow, language)
    if groups:
        shown = [g for g in groups if not g.suppressed and g.H_ci]
        # The same groups in the same order as the table: highest share at risk (H) first.
        charts["groups"] = interval_plot([(g.title, g.H or 0, g.H_ci[0], g.H_ci[1], g.reliable) for g in shown[:15]],  # type: ignore[index]
                                         _("Share at risk of exclusion (H), with 95% intervals"))
        charts["dimensions"] = stacked_shares([(g.title, {dims[k]: v for k, v in g.by_dimension.items()}) for g in shown[:15]],
                                              list(dims.values()), _("What drives exclusion in each group (share of M0)"))
    overall = figure(flow, "", data.get("overall") or {}, language) if data else None
    weighting = ((data.get("representativeness") or {}).get("weighting") or {}) if data else {}
    # Reliable figures answer the question; only when none is reliable yet do the others stand in, marked with *.
    top = top_at_risk(groups, reliable_only=True) or top_at_risk(groups)
    charts["at_risk"] = at_risk_chart(flow, top, language)
    return render_template(
        "consultation.html", consultation=consultation, flow=flow, progress=progress, snapshot=snapshot, data=data,
        overall=overall, groups=groups, dims=dims, indicators=indicator_rows(flow, data.get("overall") or {}, language),
        charts=charts, actions=actions, language=language, min_cell=min_cell_of(data, flow, config().MIN_CELL),
        variable_label=lambda variable: group_label(flow, variable, language),
        target=lambda g: target_label(flow, g.get("variable", ""), g.get("value", ""), language),
        weighting_error=translated_problem(weighting["error"], flow) if weighting.get("error") else None,
        top=top, weighted=weighting_sentence(weighting_of(flow, data, language)),
        warnings=warnings_of(flow, data, language), coverage=coverage_of(flow, data, language),
    )

