"""Who is logged in (while their session is current), what their role allows, and CSRF tokens on every form."""

from __future__ import annotations

import hmac
import secrets
from functools import wraps
from typing import Any, Callable

from flask import abort, g, redirect, request, session, url_for
from flask_babel import gettext as _

from models import User
from palabre.accounts import session_is_current
from palabre.extensions import db_session

CSRF_FIELD = "csrf_token"
SESSION_VERSION = "session_version"  # the user's session_version when this session logged in


def log_in_session(user: User) -> None:
    """Start a fresh session for this user (no fixation), valid until their session version changes."""
    session.clear()
    session["user_id"] = user.id
    session[SESSION_VERSION] = user.session_version
    session.permanent = True
    g.user = user


def current_user() -> User | None:
    """The logged-in official, if any: a cookie from before a logout, a disabling or a new password counts for nothing."""
    if "user" not in g:
        user_id = session.get("user_id")
        user = db_session().get(User, user_id) if user_id else None
        if user_id and not session_is_current(user, session.get(SESSION_VERSION)):
            session.clear()
            user = None
        g.user = user
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
            abort(403, _("Only an administrator can do this; ask one to change your role."))
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
        abort(400, _("The form expired or did not come from this site; reload the page and try again."))
