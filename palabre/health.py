"""GET /healthz: is the web process, the database and (when configured) Redis answering?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from palabre.extensions import database

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report each part's state; 503 when one is down."""
    parts = {"web": "ok", "database": _check_database()}
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        parts["redis"] = _check_redis(redis_url)
    healthy = all(state == "ok" for state in parts.values())
    return jsonify({"status": "ok" if healthy else "degraded", **parts}), 200 if healthy else 503


def _check_database() -> str:
    try:
        with database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # any failure here is what the probe exists to report
        current_app.logger.warning("health: database down: %s", type(exc).__name__)
        return "down"


def _check_redis(url: str) -> str:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except redis.RedisError as exc:
        current_app.logger.warning("health: redis down: %s", type(exc).__name__)
        return "down"
