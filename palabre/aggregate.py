"""Recompute a consultation's profile from the database and store it as a snapshot, in one transaction.

Each completed response is first reduced to a ResponseFact (group values, deprivation pattern,
helpers), once; the profile is then one GROUP BY over the facts, whatever the number of responses.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, select, type_coerce
from sqlalchemy.orm import Session

from flows.model import Flow
from models.base import JSONType
from flows.state import COMPLETED
from models import Answer, CensusTargets, Consultation, Conversation, Invitation, ProfileSnapshot, ResponseFact, utcnow
from palabre.config import Config
from palabre.consultations import UnknownConsultation, flow_of, open_consultations
from palabre.db import Database
from palabre.upsert import upsert
from profiles.cells import cells_from_counts
from profiles.facts import FactMaker, decode_groups, encode_groups, facts_key, helper_question
from profiles.funnel import Unfinished, completion_funnel
from profiles.report import build_profile
from profiles.targets import TargetsInvalid, parse_targets
from profiles.weighting import DEFAULT_TRIM_RATIO

log = logging.getLogger(__name__)

# Snapshots kept per consultation: the latest is what pages show, a few more help to compare.
KEEP_SNAPSHOTS = 20
# Conversations whose facts are computed per query (well under SQLite's 32,766 bound parameters).
FACTS_BATCH = 2000


class NoProfile(LookupError):
    """The consultation's flow has no `profile:` section: there is nothing to compute."""


def aggregate(db: Database, config: Config, consultation_id: int, now: datetime | None = None,
              trim_ratio: float | None = DEFAULT_TRIM_RATIO) -> ProfileSnapshot:
    """Bring the facts up to date, then compute the profile and store it in one transaction."""
    now = now or utcnow()
    with db.session() as session:
        consultation = session.get(Consultation, consultation_id)
        if consultation is None:
            raise UnknownConsultation(f"no consultation with id {consultation_id}")
        flow = flow_of(consultation)
        if flow.profile is None:
            raise NoProfile(f"consultation '{consultation.slug}' has no profile section in its flow")
        # Facts are derived data, committed batch by batch: a job killed while rebuilding a
        # million of them (after a change of the profile) resumes where it stopped.
        added = update_facts(session, consultation_id, flow, commit=True)
    with db.session() as session:
        # One transaction: if anything below fails, no snapshot is written and the previous one
        # stays the latest.
        snapshot = _snapshot(session, config, consultation, flow, now, trim_ratio)
        session.commit()
    log.info("profile of %s: %s responses (%s new facts)", consultation.slug, snapshot.responses, added)
    return snapshot


def aggregate_open(db: Database, config: Config) -> list[ProfileSnapshot]:
    """A fresh snapshot of every open consultation that has a profile."""
    with db.session() as session:
        ids = [c.id for c in open_consultations(session) if flow_of(c).profile is not None]
    return [aggregate(db, config, consultation_id) for consultation_id in ids]


def update_facts(session: Session, consultation_id: int, flow: Flow, commit: bool = False) -> int:
    """Compute the facts of completed conversations that have none (or stale ones); return how many."""
    key = facts_key(flow)
    missing = session.execute(
        select(Conversation.id, Conversation.channel, Conversation.language)
        .outerjoin(ResponseFact, and_(ResponseFact.conversation_id == Conversation.id, ResponseFact.facts_key == key))
        .where(Conversation.consultation_id == consultation_id, Conversation.status == COMPLETED,
               ResponseFact.conversation_id.is_(None))
        .order_by(Conversation.id)
    ).all()
    make_fact = FactMaker(flow)
    needed = _needed_questions(flow)
    for start in range(0, len(missing), FACTS_BATCH):
        batch = missing[start:start + FACTS_BATCH]
        answers = {conversation_id: {"channel": channel, "language": language} for conversation_id, channel, language in batch}
        # One row per response, its answers gathered into one JSON object by the database: decoding
        # a million small JSON values one by one was a third of the time.
        for conversation_id, gathered in session.execute(
            select(Answer.conversation_id, _answers_object(session))
            .where(Answer.conversation_id.in_(list(answers)), Answer.question_id.in_(needed))
            .group_by(Answer.conversation_id)
        ):
            answers[conversation_id].update(gathered)
        rows = []
        for conversation_id, values in answers.items():
            fact = make_fact(values)
            rows.append({
                "conversation_id": conversation_id, "consultation_id": consultation_id, "facts_key": key,
                "groups": encode_groups(fact.groups), "deprived": fact.deprived, "helpers": fact.helpers,
            })
        _upsert_facts(session, rows)
        if commit:
            session.commit()
    return len(missing)


def latest_snapshot(session: Session, consultation_id: int) -> ProfileSnapshot | None:
    """The most recent snapshot of a consultation, if any."""
    return session.scalar(
        select(ProfileSnapshot).where(ProfileSnapshot.consultation_id == consultation_id)
        .order_by(ProfileSnapshot.computed_at.desc(), ProfileSnapshot.id.desc()).limit(1)
    )


def _snapshot(session: Session, config: Config, consultation: Consultation, flow: Flow, now: datetime,
              trim_ratio: float | None) -> ProfileSnapshot:
    key = facts_key(flow)
    mine = and_(ResponseFact.consultation_id == consultation.id, ResponseFact.facts_key == key)
    rows = session.execute(
        select(ResponseFact.groups, ResponseFact.deprived, func.count())
        .where(mine).group_by(ResponseFact.groups, ResponseFact.deprived)
    ).all()
    cells = cells_from_counts(((decode_groups(g), d, c) for g, d, c in rows), len(flow.profile.indicators))  # type: ignore[union-attr]
    helpers = {}
    if helper_question(flow) is not None:
        helpers = dict(session.execute(
            select(ResponseFact.helpers, func.count()).where(mine, ResponseFact.helpers.is_not(None)).group_by(ResponseFact.helpers)
        ).all())
    targets, problem = _targets(session, consultation, flow)
    data = build_profile(
        flow, cells, min_cell=flow.profile.min_cell or config.MIN_CELL,  # type: ignore[union-attr]
        targets=targets, trim_ratio=trim_ratio, helpers=helpers,
        funnel=_funnel(session, consultation.id, flow, now, config.CONVERSATION_IDLE_HOURS), targets_problem=problem,
    )
    snapshot = ProfileSnapshot(consultation_id=consultation.id, computed_at=now, responses=cells.n, data=data)
    session.add(snapshot)
    session.flush()
    keep = (select(ProfileSnapshot.id).where(ProfileSnapshot.consultation_id == consultation.id)
            .order_by(ProfileSnapshot.computed_at.desc(), ProfileSnapshot.id.desc()).limit(KEEP_SNAPSHOTS))
    session.execute(delete(ProfileSnapshot).where(
        ProfileSnapshot.consultation_id == consultation.id, ProfileSnapshot.id.not_in(keep.scalar_subquery())
    ))
    return snapshot


def _funnel(session: Session, consultation_id: int, flow: Flow, now: datetime, idle_hours: float) -> dict:
    status_counts = session.execute(
        select(Conversation.channel, Conversation.language, Conversation.status, func.count())
        .where(Conversation.consultation_id == consultation_id)
        .group_by(Conversation.channel, Conversation.language, Conversation.status)
    ).all()
    idle_since = now - timedelta(hours=idle_hours)
    unfinished = [
        Unfinished(channel, language, status, (state or {}).get("answers") or {}, current,
                   tuple((state or {}).get("history") or ()), last_activity < idle_since)
        for channel, language, status, current, state, last_activity in session.execute(
            select(Conversation.channel, Conversation.language, Conversation.status, Conversation.current_question,
                   Conversation.state, Conversation.last_activity_at)
            .where(Conversation.consultation_id == consultation_id, Conversation.status != COMPLETED)
            .execution_options(yield_per=5000)
        )
    ]
    invited = dict(session.execute(
        select(Invitation.channel, func.count()).where(Invitation.consultation_id == consultation_id).group_by(Invitation.channel)
    ).all())
    return completion_funnel(flow, status_counts, unfinished, invited)


def _targets(session: Session, consultation: Consultation, flow: Flow) -> tuple[dict | None, str | None]:
    stored = session.scalar(select(CensusTargets).where(CensusTargets.consultation_id == consultation.id))
    if stored is None:
        return None, None
    try:
        return parse_targets(stored.csv_text, flow), None
    except TargetsInvalid as exc:
        return None, "the stored census targets no longer fit the flow: " + "; ".join(exc.problems)


def _answers_object(session: Session):
    """A response's answers as one JSON object {question_id: value}, built by the database."""
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(func.jsonb_object_agg(Answer.question_id, Answer.value), JSONType)
    return type_coerce(func.json_group_object(Answer.question_id, func.json(Answer.value)), JSONType)


def _needed_questions(flow: Flow) -> list[str]:
    profile = flow.profile
    names = {name for indicator in profile.indicators for name in indicator.deprived_if.names}  # type: ignore[union-attr]
    names |= set(profile.groups)  # type: ignore[union-attr]
    helper = helper_question(flow)
    if helper is not None:
        names.add(helper.id)
    return sorted(names - {"channel", "language"})


def _upsert_facts(session: Session, rows: list[dict]) -> None:
    if not rows:
        return
    # One cached statement, many parameter sets: psycopg sends them pipelined, without a round trip
    # each (measured faster here than SQLAlchemy's multi-row "insertmanyvalues", which needs RETURNING).
    upsert(session.connection(), ResponseFact, rows, ("conversation_id",),
           ("consultation_id", "facts_key", "groups", "deprived", "helpers"))
