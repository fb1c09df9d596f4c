"""Upload the recordings a consultation's calls play, prompt by prompt and language by language (admins only).

Each upload is checked (WAV or MP3 by its first bytes, at most 2 MB) and stored by palabre/recordings.py;
it is heard on the next call that reaches the prompt, and a call in progress keeps the one it was given.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard.consultations import consultation_or_404
from dashboard.security import admin_required, check_csrf
from flows.audio import checklist, prompts
from palabre.consultations import flow_of
from palabre.extensions import config
from palabre.recordings import MAX_RECORDING_BYTES, RecordingRefused, save_recording, uploaded

bp = Blueprint("recordings", __name__, url_prefix="/dashboard/<slug>/recordings", template_folder="templates")
# Room for the file and the form's few fields.
MAX_UPLOAD_BYTES = MAX_RECORDING_BYTES + 64 * 1024


@bp.before_request
def _room_for_a_file() -> None:
    # Set before the CSRF check reads the form: the limit applies to the first read of the body.
    request.max_content_length = MAX_UPLOAD_BYTES


bp.before_request(check_csrf)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    consultation = consultation_or_404(request.view_args["slug"])  # type: ignore[index]
    return _page(consultation, problem=_("The recording is larger than %(size)s MB.", size=MAX_RECORDING_BYTES // 2**20)), 413


@bp.get("/")
@admin_required
def index(slug: str):
    """Every prompt a call may say, per language, with its recording or the lack of one."""
    return _page(consultation_or_404(slug))


@bp.post("/")
@admin_required
def upload(slug: str):
    """Store one recording for one prompt in one language."""
    consultation = consultation_or_404(slug)
    sent = request.files.get("recording")
    data = sent.read() if sent else b""
    if not data:
        return _page(consultation, problem=_("Choose a WAV or MP3 file.")), 422
    try:
        save_recording(config().INSTANCE_DIR, flow_of(consultation), request.form.get("key", ""),
                       request.form.get("language", ""), data)
    except RecordingRefused as exc:
        reasons = {"too large": _("The recording is larger than %(size)s MB.", size=MAX_RECORDING_BYTES // 2**20),
                   "not WAV or MP3": _("This file is neither WAV nor MP3.")}
        return _page(consultation, problem=reasons.get(str(exc), _("This prompt or language is not in the consultation."))), 422
    flash(_("Recording stored: the next calls play it."))
    return redirect(url_for("recordings.index", slug=slug))


def _page(consultation, problem: str | None = None):
    flow = flow_of(consultation)
    uploads = uploaded(config().INSTANCE_DIR, flow.id)
    files = {prompt.key: prompt.files for prompt in prompts(flow)}
    keys = [prompt.key for prompt in prompts(flow)]
    rows = {}
    for language, lines in checklist(flow):
        shown = [key for key in keys if _applies(flow, key, language)]
        rows[language] = [(key, script, (key, language) in uploads, language in files[key])
                          for key, (_file, script) in zip(shown, lines)]
    return render_template("recordings.html", consultation=consultation, rows=rows, problem=problem,
                           voice_languages=flow.voice_languages, max_mb=MAX_RECORDING_BYTES // 2**20)


def _applies(flow, key: str, language: str) -> bool:
    """Whether the checklist lists this prompt for this language (a language's own menu entry only)."""
    return next(p for p in prompts(flow) if p.key == key).only in (None, language)
