"""Upload a file of questionnaires (KoboToolbox, ODK Central, paper in Palabre's layout): see its report, then store it.

Nothing is stored by the upload itself: the file is checked with the same rules as `responses import`,
kept aside under the instance folder (owner only, named by a random token), and stored only when an
admin confirms. A confirmed file is checked again, since the consultation may have changed meanwhile.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard.consultations import consultation_or_404
from dashboard.security import admin_required, check_csrf
from models import utcnow
from palabre.extensions import config, db_session
from palabre.imports.collectors import enumerator_counts, short_pseudonym
from palabre.imports.rows import OFFLINE_CHANNELS, ImportRefused
from palabre.imports.store import Prepared, prepare, store
from palabre.private_files import FILE_MODE, private_folder

bp = Blueprint("imports", __name__, url_prefix="/dashboard/<slug>/import", template_folder="templates")
# About 2,500 questionnaires of the shipped form: checked in 2 to 3 s, and again on confirming, well within
# gunicorn's 30 s worker timeout (about 1,000 rows a second on one busy core, BENCHMARKS.md). Bigger files go
# through `python app.py responses import`. The app's usual limit is 64 KB.
MAX_IMPORT_BYTES = 1024 * 1024
FORMATS = (".csv", ".xlsx")
KEEP_SECONDS = 3600  # an upload not confirmed within an hour is deleted
TOKEN = re.compile(r"^[0-9a-f]{32}$")


@bp.before_request
def _room_for_a_file() -> None:
    # Set before the CSRF check reads the form: the limit applies to the first read of the body.
    request.max_content_length = MAX_IMPORT_BYTES


bp.before_request(check_csrf)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    consultation = consultation_or_404(request.view_args["slug"])  # type: ignore[index]
    return _page(consultation, problems=[_("The file is larger than %(size)s MB.", size=MAX_IMPORT_BYTES // 2**20)]), 413


@bp.route("/", methods=["GET", "POST"])
@admin_required
def upload(slug: str):
    """Show the upload form; check an uploaded file and show its report, nothing stored yet."""
    consultation = consultation_or_404(slug)
    if request.method == "GET":
        _folder()  # and forget uploads left unconfirmed
        return _page(consultation)
    channel = request.form.get("channel") or None
    if channel is not None and channel not in OFFLINE_CHANNELS:
        return _page(consultation, problems=[_("Choose paper or assisted collection.")]), 422
    sent = request.files.get("submissions")
    name = (sent.filename or "") if sent else ""
    data = sent.read() if sent else b""
    if not data:
        return _page(consultation, problems=[_("Choose a CSV or XLSX file of questionnaires.")]), 422
    if not name.lower().endswith(FORMATS):
        return _page(consultation, problems=[_("Only .csv and .xlsx files can be imported.")]), 422
    try:
        prepared = prepare(consultation, data, name, utcnow(), channel, pseudonym_key=config().PSEUDONYM_KEY)
    except ImportRefused as exc:
        return _page(consultation, problems=[translated(str(exc))]), 422
    token = _keep(slug, name, data) if prepared.valid else None
    return _page(consultation, prepared=prepared, token=token, channel=channel or "", filename=name), 200


@bp.post("/confirm")
@admin_required
def confirm(slug: str):
    """Store a checked file (its valid rows only when asked), then go back to the consultation."""
    consultation = consultation_or_404(slug)
    path = _kept(slug, request.form.get("token", ""))
    if path is None:
        return _page(consultation, problems=[_("This upload is no longer available; upload the file again.")]), 410
    channel = request.form.get("channel") or None
    try:
        prepared = prepare(consultation, path.read_bytes(), path.name, utcnow(),
                           channel if channel in OFFLINE_CHANNELS else None, pseudonym_key=config().PSEUDONYM_KEY)
    except ImportRefused as exc:
        path.unlink(missing_ok=True)
        return _page(consultation, problems=[translated(str(exc))]), 422
    if prepared.problems and not request.form.get("skip_invalid"):
        return _page(consultation, prepared=prepared, token=path.name.split("-", 1)[0], channel=channel or "",
                     problems=[_("Some rows have problems: correct the file, or store only the valid rows.")]), 422
    result = store(db_session(), config(), consultation, prepared, utcnow())
    path.unlink(missing_ok=True)
    flash(_("%(stored)d responses stored (%(already)d were already imported); the profile is being recomputed.",
            stored=result.stored, already=result.already))
    return redirect(url_for("consultations.detail", slug=slug))


def _page(consultation, prepared: Prepared | None = None, problems: list[str] | None = None, **extra):
    # Per enumerator, by the first characters of their pseudonym: staff can follow each one's work
    # (in this file, and stored so far) without the page ever showing a name or an account.
    in_file = [(short_pseudonym(p), n) for p, n in prepared.by_enumerator if p] if prepared else []
    return render_template("imports.html", consultation=consultation, prepared=prepared, problems=problems or [],
                           translated=translated, max_mb=MAX_IMPORT_BYTES // 2**20, in_file=in_file,
                           stored_by=enumerator_counts(db_session(), consultation.id), **extra)


def _folder() -> Path:
    folder = Path(config().INSTANCE_DIR) / "imports"
    private_folder(Path(config().INSTANCE_DIR))
    private_folder(folder)
    # Uploads never confirmed hold citizens' answers: they do not stay.
    for old in folder.iterdir():
        if old.stat().st_mtime < time.time() - KEEP_SECONDS:
            old.unlink(missing_ok=True)
    return folder


def _keep(slug: str, name: str, data: bytes) -> str:
    """Set the file aside until it is confirmed; return its token."""
    token = secrets.token_hex(16)
    suffix = Path(name).suffix.lower()
    path = _folder() / f"{token}-{slug}{suffix}"
    path.touch(mode=FILE_MODE)
    path.write_bytes(data)
    return token


def _kept(slug: str, token: str) -> Path | None:
    if not TOKEN.match(token):
        return None
    for suffix in FORMATS:
        path = _folder() / f"{token}-{slug}{suffix}"
        if path.is_file():
            return path
    return None


# English wordings of palabre/imports (shared with the CLI), said again in the page's language.
_KNOWN: list[tuple[re.Pattern, Callable[[dict], str]]] = [
    (re.compile(r"unknown codes? (?P<codes>.+) \((?:one of )?(?P<allowed>[^()]+?)(?:, separated by spaces)?\)"),
     lambda g: _("unknown code %(codes)s (use one of %(allowed)s)", **g)),
    (re.compile(r"no answer, but the question is required"), lambda g: _("no answer, but the question is required")),
    (re.compile(r"(?P<value>.+) is outside (?P<low>[^.]*)\.\.(?P<high>.*)"),
     lambda g: _("%(value)s is outside %(low)s to %(high)s", **g)),
    (re.compile(r"'(?P<value>.*)' is not a (?P<what>whole )?number.*"), lambda g: _("'%(value)s' is not a number", **g)),
    (re.compile(r"'(?P<value>.*)' answers a question that does not apply .*"),
     lambda g: _("'%(value)s' answers a question that does not apply (an earlier answer skips it)", **g)),
    (re.compile(r"rejected by a reviewer in ODK Central: not imported"), lambda g: _("rejected by a reviewer in ODK Central: not imported")),
    (re.compile(r"not approved in KoboToolbox: not imported"), lambda g: _("not approved in KoboToolbox: not imported")),
    (re.compile(r"the same submission as row (?P<row>\d+): stored once"), lambda g: _("the same submission as row %(row)s: stored once", **g)),
    (re.compile(r"row \d+: this file was collected with the form of '(?P<other>[^']+)', not '(?P<flow>[^']+)'.*"),
     lambda g: _("This file was collected with the form of '%(other)s', not this consultation's: import it there.", **g)),
    (re.compile(r"row \d+: this file was collected with another version of .*"),
     lambda g: _("This file was collected with an older version of this consultation's form; its questions may have "
                 "changed. Collect with the current form (export it again as XLSForm).")),
    (re.compile(r"row 1: no column for the questions (?P<missing>.+?) of '[^']+': .*"),
     lambda g: _("The file has no column for the questions %(missing)s: is it made for another consultation? From "
                 "KoboToolbox, export with \"XML values and headers\".", **g)),
    (re.compile(r"the file is empty.*"), lambda g: _("The file is empty.")),
    (re.compile(r"not a readable \.xlsx workbook.*"), lambda g: _("This is not a readable .xlsx workbook.")),
]


def translated(text: str) -> str:
    """A problem from palabre/imports in the page's language; an unknown wording is shown as it is."""
    for pattern, say in _KNOWN:
        match = pattern.fullmatch(text.strip())
        if match:
            return say({k: v for k, v in match.groupdict().items() if v is not None})
    return text
