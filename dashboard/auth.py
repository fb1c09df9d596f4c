"""/login and /logout for officials."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from dashboard.security import check_csrf, current_user, log_in_session
from models import utcnow
from palabre import login_throttle
from palabre.accounts import authenticate, end_sessions
from palabre.extensions import db_session

bp = Blueprint("auth", __name__, template_folder="templates")
bp.before_request(check_csrf)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form, or log an official in."""
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    email = request.form.get("email", "")[:254]
    password = request.form.get("password", "")[:1024]
    address, now, db = request.remote_addr or "", utcnow(), db_session()
    if login_throttle.throttled(db, address, email, now):
        return (render_template("login.html", error=_("Too many attempts. Wait 15 minutes and try again."), next=""), 429,
                {"Retry-After": str(login_throttle.WINDOW_SECONDS)})
    user = authenticate(db, email, password)
    if user is None:
        login_throttle.record_failure(db, address, email, now)
        db.commit()
        return render_template("login.html", error=_("Wrong email or password."), next=""), 401
    login_throttle.clear(db, address, email)
    db.commit()
    log_in_session(user)
    flash(_("Welcome."))
    return redirect(_safe_next(request.form.get("next")) or url_for("consultations.index"))


@bp.post("/logout")
def logout():
    """Log out: this user's sessions end on every device, so a copied cookie opens nothing either."""
    user = current_user()
    if user is not None:
        end_sessions(user)
        db_session().commit()
    session.clear()
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str | None:
    """Only follow a `next` that stays on this site."""
    if not target:
        return None
    # Browsers drop tabs and line breaks from a URL and read "\" as "/": "/\evil" and "/\t/evil" lead
    # to another host, and a line break cannot go into a Location header at all.
    if any(ord(char) < 0x20 or char in "\\\x7f" for char in target):
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


__all__ = ["bp", "current_user"]
