"""Census targets upload: the CSV `variable,value,population` a consultation's profile is weighted to."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy import select

from dashboard.consultations import consultation_or_404
from dashboard.problems import translated_problem
from dashboard.security import admin_required, check_csrf
from models import CensusTargets, utcnow
from palabre.consultations import flow_of
from palabre.extensions import db_session
from profiles.targets import TargetsInvalid, parse_targets
from workers.aggregate import schedule_aggregation

log = logging.getLogger(__name__)
bp = Blueprint("targets", __name__, url_prefix="/dashboard/<slug>/targets", template_folder="templates")
bp.before_request(check_csrf)
MAX_TARGETS_BYTES = 32 * 1024  # a few hundred lines of margins at most


@bp.route("/", methods=["GET", "POST"])
@admin_required
def upload(slug: str):
    """Show the stored targets, or check and store an uploaded file, then refresh the profile."""
    consultation = consultation_or_404(slug)
    flow = flow_of(consultation)
    session = db_session()
    stored = session.scalar(select(CensusTargets).where(CensusTargets.consultation_id == consultation.id))
    problems: list[str] = []
    if request.method == "POST":
        upload_file = request.files.get("targets")
        raw = upload_file.read(MAX_TARGETS_BYTES + 1) if upload_file else b""
        if not raw:
            problems = [_("Choose a CSV file with the columns variable,value,population.")]
        elif len(raw) > MAX_TARGETS_BYTES:
            problems = [_("The file is too large for a targets file.")]
        else:
            text = raw.decode("utf-8-sig", errors="replace")
            try:
                parse_targets(text, flow)
            except TargetsInvalid as exc:
                problems = [translated_problem(problem, flow) for problem in exc.problems]
            else:
                if stored is None:
                    stored = CensusTargets(consultation_id=consultation.id)
                    session.add(stored)
                stored.csv_text, stored.uploaded_at = text, utcnow()
                session.commit()
                flash(_refresh_profile(consultation.id))
                return redirect(url_for("consultations.detail", slug=slug) + "#profile")
    return render_template("targets.html", consultation=consultation, stored=stored, problems=problems), 422 if problems else 200


def _refresh_profile(consultation_id: int) -> str:
    """Ask for the profile to be recomputed with the new targets; say what the official can expect."""
    try:
        schedule_aggregation(consultation_id, force=True)
    except RedisError as exc:
        # The targets are committed; the next completion, or `python app.py aggregate`, weights the profile.
        log.error("profile refresh of consultation %s not scheduled: Redis unavailable (%s)", consultation_id,
                  type(exc).__name__)
        return _("Census targets saved; the profile will be recomputed later (the job queue is unavailable).")
    return _("Census targets saved; the profile is being recomputed.")
