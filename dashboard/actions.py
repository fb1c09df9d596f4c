"""Officials record what they will do about the results, and tell the respondents concerned."""

from __future__ import annotations

import logging
import secrets
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy import select

from bots.errors import ChannelNotConfigured
from bots.senders import sender_for
from dashboard.consultations import consultation_or_404
from dashboard.security import admin_required, check_csrf, current_user
from flows.model import Flow
from models import ACTION_STATUSES, Action, Broadcast, Consultation, utcnow
from palabre.consultations import flow_of
from palabre.extensions import config, db_session
from palabre.feedback import preview, recipients, unreachable
from palabre.outbound import SEND_CHANNEL
from profiles.labels import CHANNEL_NAMES
from workers.broadcast import schedule_broadcast

log = logging.getLogger(__name__)

bp = Blueprint("actions", __name__, url_prefix="/dashboard/<slug>/actions", template_folder="templates")
bp.before_request(check_csrf)
MAX_TITLE, MAX_TEXT = 200, 2000


def group_choices(flow: Flow) -> list[tuple[str, str, str]]:
    """Every (variable, value, label) an action can address: the profile's groups and their values."""
    if flow.profile is None:
        return []
    out = []
    lang = flow.default_language
    for variable in flow.profile.groups:
        if variable == "channel":
            out += [("channel", c, c) for c in ("sms", "ussd", "whatsapp", "telegram")]
        elif variable == "language":
            out += [("language", lang_code, lang_code) for lang_code in flow.languages]
        else:
            question = flow.question(variable)
            if question.bands:
                out += [(variable, band, band) for band in question.band_labels()]
            else:
                options = question.choices or ()
                out += [(variable, c.code, c.label.get(lang, c.code)) for c in options]
                if question.type == "yes_no":
                    out += [(variable, "yes", "yes"), (variable, "no", "no")]
    return out


def _action_or_404(consultation: Consultation, action_id: int) -> Action:
    action = db_session().get(Action, action_id)
    if action is None or action.consultation_id != consultation.id:
        abort(404, _("No such action for this consultation."))
    return action


def _form_errors(flow: Flow) -> tuple[dict, list[str]]:
    """Read the action form; return its values and what is wrong with them."""
    errors = []
    title = {lang: request.form.get(f"title_{lang}", "").strip()[:MAX_TITLE] for lang in flow.languages}
    description = {lang: request.form.get(f"description_{lang}", "").strip()[:MAX_TEXT] for lang in flow.languages}
    if not all(title.values()):
        errors.append(_("Give the action a title in every language."))
    dimension = request.form.get("dimension") or None
    known_dimensions = {d.id for d in flow.profile.dimensions} if flow.profile else set()
    if dimension and dimension not in known_dimensions:
        errors.append(_("Unknown dimension."))
    allowed = {f"{v}={value}" for v, value, _label in group_choices(flow)}
    picked = request.form.getlist("groups")
    if any(g not in allowed for g in picked):
        errors.append(_("Unknown group."))
    status = request.form.get("status", "planned")
    if status not in ACTION_STATUSES:
        errors.append(_("Unknown status."))
    due = None
    if request.form.get("due_date"):
        try:
            due = date.fromisoformat(request.form["due_date"])
        except ValueError:
            errors.append(_("The date must look like 2026-05-31."))
    groups = [dict(zip(("variable", "value"), g.split("=", 1))) for g in picked if g in allowed]
    return {"title": title, "description": description, "dimension": dimension, "groups": groups,
            "status": status, "due_date": due}, errors


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new(slug: str):
    """Record a new action."""
    consultation = consultation_or_404(slug)
    return _action_form(consultation, None)


@bp.route("/<int:action_id>", methods=["GET", "POST"])
@admin_required
def edit(slug: str, action_id: int):
    """Change an action (its status as work goes on)."""
    consultation = consultation_or_404(slug)
    return _action_form(consultation, _action_or_404(consultation, action_id))


def _action_form(consultation: Consultation, action: Action | None):
    """Show the action form, or save it (creating the action when there is none yet)."""
    flow = flow_of(consultation)
    errors: list[str] = []
    if request.method == "POST":
        values, errors = _form_errors(flow)
        if not errors:
            if action is None:
                action = Action(consultation_id=consultation.id)
                db_session().add(action)
            for key, value in values.items():
                setattr(action, key, value)
            db_session().commit()
            flash(_("Action saved."))
            return redirect(url_for("consultations.detail", slug=consultation.slug) + "#actions")
    elif action is not None:
        values = {"title": action.title, "description": action.description, "dimension": action.dimension,
                  "groups": action.groups, "status": action.status, "due_date": action.due_date}
    else:
        values = {}
    page = render_template("action_form.html", consultation=consultation, flow=flow, action=action, values=values,
                           errors=errors, groups=group_choices(flow), statuses=ACTION_STATUSES)
    return page, 422 if errors else 200


@bp.route("/<int:action_id>/broadcast", methods=["GET", "POST"])
@admin_required
def broadcast(slug: str, action_id: int):
    """Preview, then send, a short message about an action to the respondents it concerns."""
    consultation = consultation_or_404(slug)
    flow = flow_of(consultation)
    action = _action_or_404(consultation, action_id)
    texts = {lang: request.form.get(f"text_{lang}", "").strip()[:1600] for lang in flow.languages}
    people = recipients(db_session(), action)
    left_out = unreachable(db_session(), people, utcnow())
    missing = unconfigured_channels({p.channel for p in people if p.participant_id not in left_out})
    costs = preview(people, texts, left_out) if all(texts.values()) else []
    if request.method == "POST" and request.form.get("confirm") == "send":
        if not all(texts.values()):
            abort(422, _("Write the message in every language."))
        if not people:
            abort(422, _("Nobody to send to: no opted-in respondent in these groups."))
        if missing:
            abort(422, " ".join(missing.values()))
        form_key = request.form.get("form_key", "")[:64]
        if not form_key:
            abort(422, _("Preview the message before sending it."))
        record = db_session().scalar(select(Broadcast).where(Broadcast.form_key == form_key))
        if record is None:
            record = Broadcast(action_id=action.id, text=texts, form_key=form_key, created_by_id=current_user().id)  # type: ignore[union-attr]
            db_session().add(record)
        db_session().commit()  # the fan-out job reads it in a transaction of its own (inline too)
        if not record.recipients:  # new, or its fan-out never started: sending again is safe (one message each)
            try:
                schedule_broadcast(record.id)
            except RedisError as exc:
                log.error("broadcast %s saved but not scheduled: %s", record.id, type(exc).__name__)
                flash(_("The message is saved but the workers cannot be reached (Redis). Press Send again in a "
                        "moment: nobody will get it twice."))
                return render_template("broadcast.html", consultation=consultation, flow=flow, action=action, texts=texts,
                                       people=people, costs=costs, form_key=form_key, left_out=left_out,
                                       missing=missing), 503
            flash(_("Sending to %(count)d people.", count=len(people)))
        return redirect(url_for("consultations.detail", slug=slug) + "#actions")
    return render_template("broadcast.html", consultation=consultation, flow=flow, action=action, texts=texts,
                           people=people, costs=costs, form_key=secrets.token_urlsafe(24), left_out=left_out,
                           missing=missing)


def unconfigured_channels(channels: set[str]) -> dict[str, str]:
    """For each channel that cannot send yet, what its settings lack (said before sending, not after)."""
    missing = {}
    for channel in sorted({SEND_CHANNEL.get(c, c) for c in channels}):
        try:
            sender_for(channel, config())
        except ChannelNotConfigured as exc:
            settings = str(exc).split(" needs ", 1)[-1]  # the settings' names, as the sender lists them
            missing[channel] = _("%(channel)s cannot send yet: set %(settings)s", channel=CHANNEL_NAMES.get(channel, channel),
                                 settings=settings)
    return missing
