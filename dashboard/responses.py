"""Staff-only views of the raw responses: downloads in every export format, and free-text comments."""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _
from sqlalchemy import select

from dashboard.consultations import consultation_or_404
from dashboard.security import login_required
from models import Answer, Conversation, Participant
from palabre.consultations import flow_of
from palabre.exports.table import write_csv
from palabre.exports.floip import write_floip
from palabre.exports.xlsx import write_xlsx
from palabre.extensions import db_session

bp = Blueprint("responses", __name__, url_prefix="/dashboard/<slug>", template_folder="templates")
MAX_COMMENTS = 500
FORMATS = {
    "csv": ("text/csv", "responses.csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "responses.xlsx"),
    "floip": ("application/zip", "flow-results.zip"),
}


@bp.get("/export.<fmt>")
@login_required
def download(slug: str, fmt: str):
    """Download the responses as CSV (`?excel=1`: for Excel), XLSX or a FLOIP Flow Results package (pseudonyms only)."""
    if fmt not in FORMATS:
        abort(404, _("Unknown export format; use csv, xlsx or floip."))
    consultation = consultation_or_404(slug)
    session = db_session()
    buffer = io.BytesIO()
    excel = fmt == "csv" and request.args.get("excel") == "1"
    if fmt == "csv":
        text = io.StringIO(newline="")
        write_csv(session, consultation, text, excel=excel)  # excel: a byte order mark, for Excel on Windows
        buffer.write(text.getvalue().encode("utf-8"))
    elif fmt == "xlsx":
        write_xlsx(session, consultation, buffer)
    else:
        write_floip(session, consultation, buffer)
    buffer.seek(0)
    mimetype, name = FORMATS[fmt]
    if excel:
        name = name.replace(".csv", "-excel.csv")
    return send_file(buffer, mimetype=mimetype, as_attachment=True, download_name=f"{slug}-{name}")


@bp.get("/comments")
@login_required
def comments(slug: str):
    """Citizens' free-text answers, newest first, by pseudonym: for staff only, never published."""
    consultation = consultation_or_404(slug)
    flow = flow_of(consultation)
    text_questions = [q.id for q in flow.questions if q.type == "text"]
    rows = db_session().execute(
        select(Answer.question_id, Answer.value, Answer.answered_at, Participant.pseudonym, Conversation.channel)
        .join(Conversation, Conversation.id == Answer.conversation_id)
        .join(Participant, Participant.id == Conversation.participant_id)
        .where(Conversation.consultation_id == consultation.id, Answer.question_id.in_(text_questions), Answer.valid.is_(True))
        .order_by(Answer.answered_at.desc()).limit(MAX_COMMENTS)
    ).all()
    return render_template("comments.html", consultation=consultation, rows=rows, limit=MAX_COMMENTS)
