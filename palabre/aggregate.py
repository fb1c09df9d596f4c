"""Recompute a consultation's profile from the database and store it as a snapshot, in one transaction.

Each completed response is first reduced to a ResponseFact (group values, deprivation pattern,
helpers), once; the profile is then one GROUP BY over the facts, whatever the number of responses.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import Engine, TextClause, and_, delete, exists, func, or_, select, text
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flows.model import Flow
from flows.state import COMPLETED
from models import CensusTargets, Consultation, Conversation, Invitation, ProfileSnapshot, ResponseFact, utcnow
from palabre.config import Config
from palabre.consultations import UnknownConsultation, flow_of, open_consultations
from palabre.db import Database
from palabre.imports.collectors import relay_counts
from profiles.cells import cells_from_counts
from profiles.facts import decode_groups, fact_variables, facts_key, helper_question
from profiles.facts_sql import AnswerSQL, answer_sql, fact_sql
from profiles.funnel import Unfinished, completion_funnel
from profiles.relays import relays_section
from profiles.report import build_profile
from profiles.targets import TargetsInvalid, parse_targets
from profiles.weighting import DEFAULT_TRIM_RATIO

log = logging.getLogger(__name__)

# Snapshots kept per consultation: the latest is what pages show, a few more help to compare.
KEEP_SNAPSHOTS = 20
# Conversations whose facts one statement computes: each batch is committed, so a killed rebuild resumes.
FACTS_BATCH = 50_000
# Connections writing batches at once on PostgreSQL (the machine has 2 cores; BENCHMARKS.md).
FACTS_CONNECTIONS = 2
# Memory PostgreSQL may use to count a consultation's facts per cell (the statement's hash table).
FACTS_WORK_MEM = "64MB"
# Told (done, total) as facts are rebuilt, for a progress bar.
Progress = Callable[[int, int], None]


class NoProfile(LookupError):
    """The consultation's flow has no `profile:` section: there is nothing to compute."""


def aggregate(db: Database, config: Config, consultation_id: int, now: datetime | None = None,
              trim_ratio: float | None = DEFAULT_TRIM_RATIO, progress: Progress | None = None) -> ProfileSnapshot:
    """Bring the facts up to date, then compute the profile and store it in one transaction."""
    now = now or utcnow()
    with db.session() as session:
        consultation = session.get(Consultation, consultation_id)
        if consultation is None:
            raise UnknownConsultation(f"no consultation with id {consultation_id}")
        flow = flow_of(consultation)
        if flow.profile is None:
            raise NoProfile(f"consultation '{consultation.slug}' has no profile section in its flow")
        targets, problem = _targets(session, consultation, flow)
        # A census target may name a question that is not a group: the facts then record it too.
        variables = fact_variables(flow, targets or ())
        # Facts are derived data, committed batch by batch: a job killed while rebuilding a
        # million of them (after a change of the profile) resumes where it stopped.
        added = update_facts(session, consultation_id, flow, commit=True, progress=progress, variables=variables)
    with db.session() as session:
        # One transaction: if anything below fails, no snapshot is written and the previous one
        # stays the latest.
        snapshot = _snapshot(session, config, consultation, flow, now, trim_ratio, variables, (targets, problem))
        session.commit()
    log.info("profile of %s: %s responses (%s new facts)", consultation.slug, snapshot.responses, added)
    return snapshot


def aggregate_open(db: Database, config: Config) -> list[ProfileSnapshot]:
    """A fresh snapshot of every open consultation that has a profile."""
    with db.session() as session:
        ids = [c.id for c in open_consultations(session) if flow_of(c).profile is not None]
    return [aggregate(db, config, consultation_id) for consultation_id in ids]


def update_facts(session: Session, consultation_id: int, flow: Flow, commit: bool = False,
                 progress: Progress | None = None, variables: tuple[str, ...] | None = None) -> int:
    """Compute the facts of completed conversations that have none (or stale ones); return how many."""
    variables = fact_variables(flow) if variables is None else variables
    key = facts_key(flow, variables)
    dialect = session.get_bind().dialect.name
    postgresql = dialect == "postgresql"
    without_fact = (
        select(Conversation.id)
        .outerjoin(ResponseFact, and_(ResponseFact.conversation_id == Conversation.id, ResponseFact.facts_key == key))
        .where(Conversation.consultation_id == consultation_id, Conversation.status == COMPLETED,
               ResponseFact.conversation_id.is_(None))
    )
    if postgresql:
        # One array rather than a row per id: a million rows through the ORM took 1.8 s of a cold
        # rebuild, the array 0.5 s (BENCHMARKS.md).
        missing = session.scalar(without_fact.with_only_columns(
            func.array_agg(aggregate_order_by(Conversation.id, Conversation.id)))) or []
    else:
        missing = session.scalars(without_fact.order_by(Conversation.id)).all()
    if not missing:
        return 0
    # Facts of another key (after a change of the profile) must be replaced: an upsert. Without any,
    # a plain INSERT is about a tenth cheaper (BENCHMARKS.md). Two probes of the (consultation, key)
    # index tell, where `<>` would read every fact of the consultation. SQLite keeps the upsert: one
    # path less to keep right there, where rebuilds are small.
    mine = ResponseFact.consultation_id == consultation_id
    replacing = not postgresql or bool(session.scalar(select(or_(
        exists().where(mine, ResponseFact.facts_key < key), exists().where(mine, ResponseFact.facts_key > key)))))
    statement, params = _facts_statement(dialect, flow, variables)
    inserted, _ = _facts_statement(dialect, flow, variables, upsert=False)
    params.update(facts_key=key, consultation=consultation_id, completed=COMPLETED)
    batches = [missing[start:start + FACTS_BATCH] for start in range(0, len(missing), FACTS_BATCH)]

    def write(target: Session, batch: list[int]) -> int:
        # The database reads the answers and writes the facts in one statement: nothing per
        # response crosses to Python, where reducing each response dominated a cold rebuild.
        if postgresql:
            # Compiling this large expression to machine code took longer than running it.
            target.execute(text("SET LOCAL jit = off"))
        values = {**params, "ids": batch if postgresql else json.dumps(batch), "low": batch[0], "high": batch[-1]}
        if not replacing:
            # Should another aggregation of the consultation have written some of these facts
            # meanwhile, the batch is written again as an upsert.
            try:
                with target.begin_nested():
                    target.execute(inserted, values)
            except IntegrityError:
                target.execute(statement, values)
        else:
            target.execute(statement, values)
        if commit:
            target.commit()
        return len(batch)

    bind = session.get_bind()
    if postgresql and commit and len(batches) > 1 and FACTS_CONNECTIONS > 1 and isinstance(bind, Engine):
        # PostgreSQL 15 never runs the SELECT of an INSERT in parallel: batches on their own
        # connections use the other cores. Each still commits alone, so a killed rebuild resumes.
        session.commit()

        def on_own_connection(batch: list[int]) -> int:
            with Session(bind) as own:
                return write(own, batch)

        with ThreadPoolExecutor(FACTS_CONNECTIONS) as pool:
            futures = [pool.submit(on_own_connection, batch) for batch in batches]
            written = 0
            try:
                for future in futures:
                    written += future.result()
                    if progress is not None:
                        progress(written, len(missing))
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return len(missing)
    written = 0
    for batch in batches:
        written += write(session, batch)
        if progress is not None:
            progress(written, len(missing))
    return len(missing)


def latest_snapshot(session: Session, consultation_id: int) -> ProfileSnapshot | None:
    """The most recent snapshot of a consultation, if any."""
    return session.scalar(
        select(ProfileSnapshot).where(ProfileSnapshot.consultation_id == consultation_id)
        .order_by(ProfileSnapshot.computed_at.desc(), ProfileSnapshot.id.desc()).limit(1)
    )


def _snapshot(session: Session, config: Config, consultation: Consultation, flow: Flow, now: datetime,
              trim_ratio: float | None, variables: tuple[str, ...],
              stored_targets: tuple[dict | None, str | None]) -> ProfileSnapshot:
    key = facts_key(flow, variables)
    mine = and_(ResponseFact.consultation_id == consultation.id, ResponseFact.facts_key == key)
    if session.get_bind().dialect.name == "postgresql":
        # Room to hash the distinct (groups, pattern) cells in memory: with the default 4 MB,
        # grouping a million facts sorted them on disk (1.2 s against 0.45 s, BENCHMARKS.md).
        session.execute(text(f"SET LOCAL work_mem = '{FACTS_WORK_MEM}'"))
    rows = session.execute(
        select(ResponseFact.groups, ResponseFact.deprived, func.count())
        .where(mine).group_by(ResponseFact.groups, ResponseFact.deprived)
    ).all()
    cells = cells_from_counts(((decode_groups(g), d, c) for g, d, c in rows), len(flow.profile.indicators), variables)  # type: ignore[union-attr]
    helpers = {}
    if helper_question(flow) is not None:
        helpers = dict(session.execute(
            select(ResponseFact.helpers, func.count()).where(mine, ResponseFact.helpers.is_not(None)).group_by(ResponseFact.helpers)
        ).all())
    targets, problem = stored_targets
    min_cell = flow.profile.min_cell or config.MIN_CELL  # type: ignore[union-attr]
    data = build_profile(
        flow, cells, min_cell=min_cell,
        targets=targets, trim_ratio=trim_ratio, helpers=helpers,
        funnel=_funnel(session, consultation.id, flow, now, config.CONVERSATION_IDLE_HOURS), targets_problem=problem,
    )
    # Beside "who helps": the relays enumerators named, only in the database (no export carries them),
    # so a consultation without any keeps the very profile `profiles compute` makes of its export.
    relays = relay_counts(session, consultation.id)
    if relays:
        data["representativeness"]["relays"] = relays_section(relays, min_cell)
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


def _pivoted_questions(flow: Flow, variables: tuple[str, ...], rows: AnswerSQL) -> list[str]:
    """The questions read as a column per response: the groups, and the names of indicators not decided on rows."""
    profile = flow.profile
    names = {name for bit, indicator in enumerate(profile.indicators) if bit not in rows.decided  # type: ignore[union-attr]
             for name in indicator.deprived_if.names}
    names |= set(variables)
    helper = helper_question(flow)
    if helper is not None and rows.helpers is None:
        names.add(helper.id)
    return sorted(names - {"channel", "language"})


def _facts_statement(dialect: str, flow: Flow, variables: tuple[str, ...], upsert: bool = True) -> tuple[TextClause, dict]:
    """INSERT ... SELECT of the facts of a batch of conversations (:ids, all between :low and :high).

    upsert: replace the facts these conversations already have (of another key, or written meanwhile).
    """
    postgresql = dialect == "postgresql"
    # Indicators on one question and the helper mask are decided on the answer's own row and OR-ed
    # per response; only the groups (and conditions naming several questions) are pivoted to columns.
    rows = answer_sql(flow, dialect, "a.question_id", "a.v", "a.value" if postgresql else None)
    columns, names, params = [], {}, {}
    for i, question_id in enumerate(_pivoted_questions(flow, variables, rows)):
        params[f"question{i}"] = question_id
        columns.append(f"max(a.v) FILTER (WHERE a.question_id = :question{i}) AS a{i}")
        names[question_id] = f"p.a{i}"
    if rows.decided:
        # Each row sets the bits of its own question's indicators: the sum of disjoint bits is their OR
        # (SQLite has no bit_or).
        columns.append(f"{'bit_or' if postgresql else 'sum'}({rows.deprived}) AS d")
    if rows.helpers is not None:
        columns.append(f"max({rows.helpers}) AS h")  # one helper row at most per response
    for builtin in ("channel", "language"):
        names[builtin] = f"CAST(to_json(c.{builtin}) AS text)" if postgresql else f"json_quote(c.{builtin})"
    fact = fact_sql(flow, dialect, names, variables, rows, ("p.d", "p.h"))
    params.update(fact.params)
    read = sorted(set(names) - {"channel", "language"} | rows.questions)
    wanted = []
    for question_id in read:
        wanted.append(f":read{len(wanted)}")
        params[f"read{len(wanted) - 1}"] = question_id
    # One ordered pass over the batch's answers, grouped per response (a join per question probed
    # the index ten times per response: several times slower, BENCHMARKS.md). Each answer's JSON
    # text is made once per row: OFFSET 0 keeps PostgreSQL from inlining the cast into every use, and
    # ORDER BY keeps the index's order through it (without, a sort of the batch's answers spilled to disk).
    if postgresql:
        answers = (f"(SELECT conversation_id, question_id, value, CAST(value AS text) AS v FROM answers"
                   f" WHERE conversation_id BETWEEN :low AND :high AND question_id IN ({', '.join(wanted)})"
                   f" ORDER BY conversation_id OFFSET 0)")
    else:
        answers = (f"(SELECT conversation_id, question_id, value AS v FROM answers"
                   f" WHERE conversation_id BETWEEN :low AND :high AND question_id IN ({', '.join(wanted)}))")
    pivot = (f"LEFT JOIN (SELECT a.conversation_id, {', '.join(columns)} FROM {answers} AS a"
             f" GROUP BY a.conversation_id) AS p ON p.conversation_id = c.id") if columns else ""
    # Exactly the batch's ids (those update_facts found without a current fact), not an anti-join
    # on response_facts: on a table the statistics call empty, PostgreSQL scanned the rows this very
    # statement was writing once per response (65 s instead of about 2 s for 50,000; BENCHMARKS.md).
    # On PostgreSQL `c.id + 0`: the ids as a filter over the range, hashed once, rather than
    # 50,000 descents of the index (a few percent of a batch, BENCHMARKS.md).
    wanted_ids = "(CAST(:ids AS integer[]))" if postgresql else "(SELECT value FROM json_each(:ids))"
    chosen = "+ 0 = ANY" if postgresql else "IN"
    statement = f"""
        INSERT INTO response_facts (conversation_id, consultation_id, facts_key, groups, deprived, helpers)
        SELECT c.id, c.consultation_id, :facts_key, {fact.groups}, {fact.deprived}, {fact.helpers}
        FROM conversations AS c
        {pivot}
        WHERE c.id {chosen} {wanted_ids} AND c.id BETWEEN :low AND :high
          AND c.consultation_id = :consultation AND c.status = :completed
    """
    if upsert:
        statement += """
        ON CONFLICT (conversation_id) DO UPDATE SET consultation_id = excluded.consultation_id,
          facts_key = excluded.facts_key, groups = excluded.groups, deprived = excluded.deprived,
          helpers = excluded.helpers
        """
    return text(statement), params
