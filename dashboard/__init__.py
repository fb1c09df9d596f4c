"""The officials' pages and the public results page, server-rendered in French and English."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask


def init_dashboard(app: Flask) -> None:
    """Set up sessions, languages and template helpers, and register the page blueprints."""
    from dashboard.i18n import init_i18n
    from dashboard.security import csrf_token, current_user

    base_url = app.config.get("PUBLIC_BASE_URL") or ""
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Secure cookies whenever the public address is https (always, in production).
        SESSION_COOKIE_SECURE=base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    init_i18n(app)
    from flask_babel import get_locale

    app.jinja_env.globals.update(current_user=current_user, csrf_token=csrf_token, get_locale=get_locale)

    from dashboard.actions import bp as actions_bp
    from dashboard.auth import bp as auth_bp
    from dashboard.consultations import bp as consultations_bp
    from dashboard.public import bp as public_bp
    from dashboard.responses import bp as responses_bp
    from dashboard.simulator import bp as simulator_bp
    from dashboard.targets import bp as targets_bp
    from dashboard.imports import bp as imports_bp
    from dashboard.recordings import bp as recordings_bp
    from dashboard.call_cost import bp as call_cost_bp

    from api.routes import bp as api_bp

    for blueprint in (auth_bp, consultations_bp, actions_bp, public_bp, simulator_bp, targets_bp, responses_bp, imports_bp, recordings_bp, call_cost_bp, api_bp):
        app.register_blueprint(blueprint)
