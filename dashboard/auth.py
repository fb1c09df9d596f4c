"""/login and /logout for officials."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from dashboard.security import check_csrf, current_user, login_throttle
from palabre.accounts import authenticate
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
    key = f"{request.remote_addr}|{email.strip().lower()}"
    throttle = login_throttle()
    if throttle.blocked(key):
        return render_template("login.html", error=_("Too many attempts. Wait 15 minutes and try again."), next=""), 429
    user = authenticate(db_session(), email, password)
    if user is None:
        throttle.failed(key)
        return render_template("login.html", error=_("Wrong email or password."), next=""), 401
    throttle.reset(key)
    db_session().commit()
    session.clear()  # a fresh session on login: no fixation
    session["user_id"] = user.id
    session.permanent = True
    flash(_("Welcome."))
    return redirect(_safe_next(request.form.get("next")) or url_for("consultations.index"))


@bp.post("/logout")
def logout():
    """Log out and forget the session."""
    session.clear()
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str | None:
    """Only follow a `next` that stays on this site."""
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


__all__ = ["bp", "current_user"]
