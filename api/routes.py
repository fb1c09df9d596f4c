"""GET endpoints of /api/v1: consultations, their latest profile, responses and actions."""

from __future__ import annotations

import csv
import io
from functools import wraps
from typing import Any, Callable

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import func, select

from api.auth import api_error, token_required
from api.openapi import openapi_document
from palabre.aggregate import latest_snapshot
from flows.model import Flow
from models import Action, Consultation, Conversation
from palabre.consultations import UnknownConsultation, flow_of, get_consultation
from palabre.exports.table import columns, export_rows
from palabre.extensions import db_session

bp = Blueprint("api", __name__, url_prefix="/api/v1")
RESPONSE_STATUSES = ("all", "active", "completed", "declined", "expired", "opted_out")


def with_consultation(view: Callable[[Consultation], Any]) -> Callable[..., Any]:
    """Give the view the consultation named in the URL, or answer a JSON 404."""

    @wraps(view)
    def wrapped(slug: str) -> Any:
        try:
            consultation = get_consultation(db_session(), slug)
        except UnknownConsultation:
            return api_error(404, f"No consultation '{slug}'.")
        return view(consultation)

    return wrapped


def _summary(consultation: Consultation, flow: Flow, counts: dict[str, int]) -> dict:
    return {
        "slug": consultation.slug, "title": consultation.title, "status": consultation.status,
        "languages": list(flow.languages), "purposes": list(flow.purposes), "commitment": flow.commitment,
        "keywords": list(consultation.keywords or []),
        "opened_at": consultation.opened_at.isoformat() if consultation.opened_at else None,
        "responses": counts,
    }


def _counts(consultation_id: int | None = None) -> dict[int, dict[str, int]]:
    query = select(Conversation.consultation_id, Conversation.status, func.count()).group_by(Conversation.consultation_id, Conversation.status)
    if consultation_id is not None:
        query = query.where(Conversation.consultation_id == consultation_id)
    out: dict[int, dict[str, int]] = {}
    for cid, status, count in db_session().execute(query):
        out.setdefault(cid, {})[status] = count
    return out


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document of this API."""
    return jsonify(openapi_document())


@bp.get("/consultations")
@token_required
def list_consultations():
    """Every consultation with its status and response counts."""
    counts = _counts()
    consultations = db_session().scalars(select(Consultation).order_by(Consultation.id))
    return jsonify({"consultations": [_summary(c, flow_of(c), counts.get(c.id, {})) for c in consultations]})


@bp.get("/consultations/<slug>")
@token_required
@with_consultation
def get_one(consultation: Consultation):
    """One consultation with its questions."""
    flow = flow_of(consultation)
    body = _summary(consultation, flow, _counts(consultation.id).get(consultation.id, {}))
    body["questions"] = [
        {"id": q.id, "type": q.type, "prompt": dict(q.prompt), "optional": q.optional,
         "choices": [{"code": c.code, "label": dict(c.label)} for c in q.choices]}
        for q in flow.questions
    ]
    return jsonify(body)


@bp.get("/consultations/<slug>/profile")
@token_required
@with_consultation
def profile(consultation: Consultation):
    """The latest stored exclusion-risk profile (the keys of `profiles compute`)."""
    snapshot = latest_snapshot(db_session(), consultation.id)
    if snapshot is None:
        slug = consultation.slug
        return api_error(404, f"No profile computed yet for '{slug}'; run `python app.py aggregate {slug}`.")
    return jsonify({"computed_at": snapshot.computed_at.isoformat(), "responses": snapshot.responses, **snapshot.data})


@bp.get("/consultations/<slug>/responses.csv")
@token_required
@with_consultation
def responses_csv(consultation: Consultation):
    """The responses as the CSV export: pseudonyms only, never a number or Telegram id."""
    status = request.args.get("status", "all")
    if status not in RESPONSE_STATUSES:
        return api_error(422, f"status must be one of {', '.join(RESPONSE_STATUSES)}.")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns(flow_of(consultation)), lineterminator="\n")
    writer.writeheader()
    for row in export_rows(db_session(), consultation):
        if status == "all" or row["status"] == status:
            writer.writerow(row)
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{consultation.slug}-responses.csv"'})


@bp.get("/consultations/<slug>/actions")
@token_required
@with_consultation
def actions(consultation: Consultation):
    """The actions the authority committed to, with their status."""
    rows = db_session().scalars(select(Action).where(Action.consultation_id == consultation.id).order_by(Action.id))
    return jsonify({"actions": [
        {"id": a.id, "title": a.title, "description": a.description, "dimension": a.dimension, "groups": a.groups,
         "status": a.status, "date": a.due_date.isoformat() if a.due_date else None}
        for a in rows
    ]})


@bp.errorhandler(405)
def method_not_allowed(_error):
    return api_error(405, "This API is read-only: use GET.")

