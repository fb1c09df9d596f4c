"""GET /: the consultations this instance runs and how far each has got."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from models import Consultation, Conversation
from palabre.extensions import db_session

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/")
def index():
    """List consultations with their responses by status."""
    session = db_session()
    consultations = list(session.scalars(select(Consultation).order_by(Consultation.id)))
    counts: dict[int, dict[str, int]] = {}
    for consultation_id, status, count in session.execute(
        select(Conversation.consultation_id, Conversation.status, func.count()).group_by(Conversation.consultation_id, Conversation.status)
    ):
        counts.setdefault(consultation_id, {})[status] = count
    return render_template("home.html", consultations=consultations, counts=counts)
