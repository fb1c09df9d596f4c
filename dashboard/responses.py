"""Staff-only views of the raw responses: downloads in every export format, free-text comments and recorded answers."""

from __future__ import annotations

import io
import logging

from flask import Blueprint, Response, abort, render_template, request, send_file
from flask_babel import gettext as _
from sqlalchemy import select

from bots.voice_record import RecordingFetch, RecordingUnavailable
from dashboard.consultations import consultation_or_404
from dashboard.security import login_required
from models import Answer, CallRecording, Conversation, Participant
from palabre.call_recordings import recordings_by_answer
from palabre.consultations import flow_of
from palabre.exports.table import write_csv
from palabre.exports.floip import write_floip
from palabre.exports.xlsx import write_xlsx
from palabre.extensions import config, db_session

log = logging.getLogger(__name__)

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
    found = db_session().execute(
        select(Answer.question_id, Answer.value, Answer.answered_at, Participant.pseudonym, Conversation.channel,
               Conversation.id)
        .join(Conversation, Conversation.id == Answer.conversation_id)
        .join(Participant, Participant.id == Conversation.participant_id)
        .where(Conversation.consultation_id == consultation.id, Answer.question_id.in_(text_questions), Answer.valid.is_(True))
        .order_by(Answer.answered_at.desc()).limit(MAX_COMMENTS)
    ).all()
    # A recorded answer (`voice_record` on a call) is heard through `recording` below: its id at Twilio never shows.
    recorded = recordings_by_answer(db_session(), sorted({row[5] for row in found}))
    rows = [(*row[:5], recorded.get((row[5], row[0]))) for row in found]
    return render_template("comments.html", consultation=consultation, rows=rows, limit=MAX_COMMENTS,
                           any_recording=bool(recorded))


@bp.get("/comments/<int:recording_id>.mp3")
@login_required
def recording(slug: str, recording_id: int):
    """A recorded answer's audio, fetched from Twilio for a logged-in official: never cached, never public."""
    consultation = consultation_or_404(slug)
    session = db_session()
    row = session.get(CallRecording, recording_id)
    conversation = session.get(Conversation, row.conversation_id) if row is not None else None
    if conversation is None or conversation.consultation_id != consultation.id:
        abort(404, _("No such recorded answer in this consultation."))
    try:
        audio = RecordingFetch.from_config(config()).mp3(row.recording_path)  # type: ignore[union-attr]
    except RecordingUnavailable as exc:
        log.warning("recording %s not fetched: %s", recording_id, exc)
        if exc.retryable:
            abort(503, _("Twilio cannot give this recording now (a recording can take a minute to be ready): try again later."))
        abort(503, _("This recording cannot be fetched from Twilio: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN."))
    response = Response(audio, mimetype="audio/mpeg")
    response.headers["Cache-Control"] = "private, no-store"  # a citizen's voice: no copy kept by a browser or proxy
    return response
