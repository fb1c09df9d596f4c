"""Keep each consultation's profile snapshot fresh: one pending aggregation job per consultation.

A completed conversation asks for a refresh. With RQ, requests coalesce on a job id per
consultation and *epoch*, `aggregate-<consultation_id>-<epoch>`:

    completion:  e = GET epoch;  enqueue "aggregate-7-<e>" unique  (a duplicate means: already pending)
    job for e:   SET epoch = max(epoch, e + 1);  then read the database and store the snapshot

A request that read epoch e committed its response before the job for e moved the epoch, hence
before that job read the database: it is covered. A request that reads e + 1 after the move
queues (or joins) the next job. So a burst of 10,000 completions costs one running job plus one
pending job, and no completion is left out, however many workers run. A bare per-consultation
id would not do: RQ keeps the id taken while the job runs, so completions arriving during a
run would be turned away and the profile would miss the end of a burst.

Without Redis (REDIS_URL unset) jobs run inline, in the request or command that completed the
conversation: there the refresh is skipped while the latest snapshot is younger than
INLINE_MIN_SECONDS, and `python app.py aggregate SLUG` (or the end of `demo`) computes it fully.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from rq import Retry, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from models import utcnow
from palabre.aggregate import NoProfile, aggregate, latest_snapshot
from palabre.extensions import config, database
from workers.context import job_app
from workers.queue import Enqueued, Queues, connection, enqueue, redis_url

log = logging.getLogger(__name__)

EPOCH_KEY = "palabre:aggregate-epoch:{}"  # per consultation id
JOB_PREFIX = "aggregate"  # RQ ids allow letters, digits, '_' and '-' only
# A failed aggregation is retried after 5 s, 30 s, then 2 minutes (needs `rq worker --with-scheduler`).
RETRY_INTERVALS = [5, 30, 120]
JOB_TIMEOUT_SECONDS = 600  # a million responses take seconds; a cold rebuild of their facts, minutes
FAILURE_TTL_SECONDS = 7 * 86400  # failed jobs stay a week for an operator to read
INLINE_MIN_SECONDS = 30
# A job in one of these states will read the database after the request that found it.
PENDING = {JobStatus.CREATED, JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED, JobStatus.STARTED}

# Move the epoch forward to ARGV[1] + 1 unless it is already there: atomic, and never backwards.
ADVANCE_EPOCH = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local wanted = tonumber(ARGV[1]) + 1
if current < wanted then redis.call('SET', KEYS[1], wanted) return wanted end
return current
"""


def schedule_aggregation(consultation_id: int, force: bool = False) -> Enqueued | None:
    """Ask for a fresh snapshot of a consultation's profile; return the job, or None when skipped."""
    url = redis_url()
    if not url:
        return _run_inline(consultation_id, force)
    return _enqueue_coalesced(connection(url), consultation_id)


def refresh_after_completion(consultation_id: int) -> None:
    """Schedule a refresh for a response just completed; never fail the citizen's message over it."""
    try:
        schedule_aggregation(consultation_id)
    except RedisError:
        # The response is stored; the next completion, or `python app.py aggregate`, refreshes the profile.
        log.exception("profile refresh of consultation %s not scheduled: Redis unavailable", consultation_id)


def run_aggregation(consultation_id: int, epoch: int) -> int | None:
    """The job: move the epoch past this job's, then recompute and store the snapshot; return its id."""
    job = get_current_job()
    if job is not None:
        job.connection.eval(ADVANCE_EPOCH, 1, EPOCH_KEY.format(consultation_id), epoch)
    app = job_app()
    with app.app_context():
        try:
            snapshot = aggregate(app.extensions["palabre.database"], app.extensions["palabre.config"], consultation_id)
        except NoProfile:
            return None  # a consultation without a profile: nothing to keep fresh
    return snapshot.id


def _enqueue_coalesced(redis, consultation_id: int) -> Enqueued:
    key = EPOCH_KEY.format(consultation_id)
    queued = None
    for _ in range(3):
        epoch = int(redis.get(key) or 0)
        job_id = f"{JOB_PREFIX}-{consultation_id}-{epoch}"
        queued = enqueue(
            run_aggregation, consultation_id, epoch, queue=Queues.AGGREGATE, job_id=job_id, unique=True,
            retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS) if RETRY_INTERVALS else None,
            result_ttl=0, failure_ttl=FAILURE_TTL_SECONDS, timeout=JOB_TIMEOUT_SECONDS,
        )
        if not queued.duplicate:
            return queued
        try:
            status = Job.fetch(job_id, connection=redis).get_status()
        except NoSuchJobError:
            continue  # it ended between our two calls: ask again
        if status in PENDING:
            return queued
        # The job of this epoch ended (failed, stopped) without moving the epoch, e.g. because
        # Redis lost the key: move it ourselves, so that the next attempt queues a new job.
        redis.eval(ADVANCE_EPOCH, 1, key, epoch)
    return queued  # type: ignore[return-value]


def _run_inline(consultation_id: int, force: bool) -> Enqueued | None:
    db = database()
    if not force:
        with db.session() as session:
            latest = latest_snapshot(session, consultation_id)
        if latest is not None and utcnow() - latest.computed_at < timedelta(seconds=INLINE_MIN_SECONDS):
            return None
    try:
        aggregate(db, config(), consultation_id)
    except NoProfile:
        return None
    except Exception:
        if force:
            raise
        # Inline, this runs in the request that stored a citizen's answer: that must still succeed.
        log.exception("profile refresh of consultation %s failed", consultation_id)
        return None
    return Enqueued(None, inline=True)
