"""Who is logged in, what their role allows, CSRF tokens on every form, and a brake on password guessing."""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from functools import wraps
from typing import Any, Callable

from flask import abort, current_app, g, redirect, request, session, url_for
from redis.exceptions import RedisError

from models import User
from palabre.extensions import db_session

log = logging.getLogger(__name__)

CSRF_FIELD = "csrf_token"
# Five wrong passwords per address and account within 15 minutes, then wait.
LOGIN_ATTEMPTS = 5
LOGIN_WINDOW_SECONDS = 15 * 60


def current_user() -> User | None:
    """The logged-in official, if any."""
    if "user" not in g:
        user_id = session.get("user_id")
        g.user = db_session().get(User, user_id) if user_id else None
    return g.user


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send anonymous visitors to the login page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)

    return wrapped


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only admins manage consultations and send messages."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user().is_admin:  # type: ignore[union-attr]
            abort(403, "Only an administrator can do this; ask one to change your role.")
        return view(*args, **kwargs)

    return wrapped


def csrf_token() -> str:
    """The session's CSRF token, created on first use (put it in every form)."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """Refuse a state-changing request whose form lacks the session's CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get(CSRF_FIELD, "") or request.headers.get("X-CSRF-Token", "")
    expected = session.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, "The form expired or did not come from this site; reload the page and try again.")


class LoginThrottle:
    """Count failed logins per key in a fixed window: Redis when configured (shared by workers), else memory."""

    def __init__(self) -> None:
        self._memory: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        return self._count(key, add=0) >= LOGIN_ATTEMPTS

    def failed(self, key: str) -> None:
        self._count(key, add=1)

    def reset(self, key: str) -> None:
        redis = self._redis()
        if redis is not None:
            try:
                redis.delete(f"login-fail:{key}")
            except RedisError:
                pass  # its count expires with the window
        with self._lock:
            self._memory.pop(key, None)

    def _count(self, key: str, add: int) -> int:
        redis = self._redis()
        if redis is not None:
            try:
                return self._shared_count(redis, f"login-fail:{key}", add)
            except RedisError as exc:
                # Officials must still get in with Redis down: count in this process meanwhile.
                log.warning("login throttle: Redis unavailable (%s); counting in this process", type(exc).__name__)
        now = time.monotonic()
        with self._lock:
            started, count = self._memory.get(key, (now, 0))
            if now - started > LOGIN_WINDOW_SECONDS:
                started, count = now, 0
            count += add
            self._memory[key] = (started, count)
            return count

    @staticmethod
    def _shared_count(redis, name: str, add: int) -> int:
        if add:
            pipe = redis.pipeline()
            pipe.incr(name)
            pipe.expire(name, LOGIN_WINDOW_SECONDS, nx=True)
            return int(pipe.execute()[0])
        return int(redis.get(name) or 0)

    @staticmethod
    def _redis():
        url = current_app.config.get("REDIS_URL")
        if not url:
            return None
        from workers.queue import connection

        return connection(url)


def login_throttle() -> LoginThrottle:
    """The current app's login throttle."""
    return current_app.extensions["palabre.login_throttle"]
