"""GET /healthz: is the web process, the database and (when configured) Redis answering, and do jobs run?

Three states:
- `ok` (200): every part answers and, with Redis, a worker consumes the send queue in time;
- `degraded` (200): the web works but replies queued for citizens are not going out (no RQ worker
  registered on the send queue, or its oldest job waits longer than SEND_QUEUE_LATE_SECONDS).
  A load balancer must keep this process: it still takes every webhook;
- `down` (503): the database or Redis does not answer.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from palabre.extensions import database

bp = Blueprint("health", __name__)

# workers.queue.Queues.SEND: a service may not import the workers above it (a test keeps the two equal).
SEND_QUEUE = "send"
# A citizen waiting a minute for the next question notices; paced broadcast sends wait in RQ's
# scheduled registry, not in the queue, so they do not count here until they are due.
SEND_QUEUE_LATE_SECONDS = 60
REDIS_TIMEOUT_SECONDS = 1  # a probe must answer quickly even when Redis hangs


@bp.get("/healthz")
def healthz():
    """Report each part's state: 503 when one is down, `degraded` when replies are not going out."""
    parts: dict[str, object] = {"web": "ok", "database": _check_database()}
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        parts.update(_check_redis(redis_url))
    if any(parts[name] == "down" for name in ("database", "redis") if name in parts):
        return jsonify({"status": "down", **parts}), 503
    late = parts.get("workers", "ok") != "ok" or parts.get("send_queue", "ok") != "ok"
    return jsonify({"status": "degraded" if late else "ok", **parts}), 200


def _check_database() -> str:
    try:
        with database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # any failure here is what the probe exists to report
        current_app.logger.warning("health: database down: %s", type(exc).__name__)
        return "down"


def _check_redis(url: str) -> dict[str, object]:
    import redis

    try:
        with redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                  socket_timeout=REDIS_TIMEOUT_SECONDS) as connection:
            connection.ping()
            return {"redis": "ok", **_check_send_queue(connection)}
    except redis.RedisError as exc:
        current_app.logger.warning("health: redis down: %s", type(exc).__name__)
        return {"redis": "down"}


def _check_send_queue(connection) -> dict[str, object]:
    """Whether a live worker listens to the send queue, and how long its oldest job has waited."""
    from rq import Queue, Worker
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    queue = Queue(SEND_QUEUE, connection=connection)
    # A worker's key expires unless its heartbeat renews it: Worker.all skips the expired ones,
    # so a killed worker stops counting within its TTL (rq's default worker_ttl is 420 s).
    workers = Worker.all(queue=queue)
    if not workers:
        current_app.logger.warning("health: no RQ worker consumes the %r queue", SEND_QUEUE)
    oldest = 0
    first = queue.get_job_ids(0, 1)
    if first:
        try:
            enqueued_at = Job.fetch(first[0], connection=connection).enqueued_at
        except NoSuchJobError:  # deleted or expired while listed: no age to read
            enqueued_at = None
        if enqueued_at is not None:
            if enqueued_at.tzinfo is None:  # RQ stores UTC
                enqueued_at = enqueued_at.replace(tzinfo=timezone.utc)
            oldest = max(0, int((datetime.now(timezone.utc) - enqueued_at).total_seconds()))
    late = oldest > SEND_QUEUE_LATE_SECONDS
    if late:
        current_app.logger.warning("health: the oldest job on %r has waited %d s", SEND_QUEUE, oldest)
    return {"workers": "ok" if workers else "none", "send_queue": "late" if late else "ok",
            "send_queue_oldest_seconds": oldest}
