"""GET /: the consultations this instance runs in public, and how many people answered each."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from flows.state import COMPLETED
from models import DRAFT, Consultation, Conversation
from palabre.consultations import flow_of
from palabre.extensions import config, db_session

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/")
def index():
    """List the open and closed consultations with how many answered, under the minimum cell as "fewer than N"."""
    session = db_session()
    # A draft is not public yet: its results page is a 404, so the home page does not name it either.
    consultations = list(session.scalars(select(Consultation).where(Consultation.status != DRAFT).order_by(Consultation.id)))
    completed = dict(session.execute(
        select(Conversation.consultation_id, func.count())
        .where(Conversation.status == COMPLETED).group_by(Conversation.consultation_id)
    ).all())
    rows = []
    for consultation in consultations:
        flow = flow_of(consultation)
        min_cell = (flow.profile.min_cell if flow.profile else None) or config().MIN_CELL
        # Only the number who answered the whole consultation, as on its results page: statuses such as
        # "opted out" are small groups of their own, and no other count is published beside this one.
        rows.append({"consultation": consultation, "min_cell": min_cell, "answered": completed.get(consultation.id, 0)})
    return render_template("home.html", rows=rows)
