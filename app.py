"""Palabre: the Flask app factory and the command line (`python app.py --help`)."""

from __future__ import annotations

import logging
from typing import Mapping

from flask import Flask
from flask.cli import FlaskGroup

from palabre.config import Config

# A citizen's SMS is at most 1,600 characters; nothing a channel sends us needs more than this.
MAX_REQUEST_BYTES = 64 * 1024


def create_app(config: Config | Mapping[str, object] | None = None) -> Flask:
    """Build the web app from the environment's settings, or from the given ones (tests)."""
    if config is None:
        settings = Config.from_env()
    elif isinstance(config, Config):
        settings = config
    else:
        settings = Config.from_env().replace(**config)
    app = Flask(__name__, instance_path=None, static_folder="dashboard/static")
    app.config.from_mapping(settings.as_flask())
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.extensions["palabre.config"] = settings
    from palabre.logs import init_app as init_logs

    init_logs(app, settings.LOG_LEVEL, settings.LOG_FORMAT)  # JSON lines (or text) with request ids
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from palabre import extensions

    extensions.init_app(app)

    from palabre.errors import register_error_handlers

    register_error_handlers(app)
    from palabre.headers import init_headers

    init_headers(app)

    from dashboard.home import bp as home_bp
    from palabre.health import bp as health_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(home_bp)
    from bots.sms import bp as sms_bp

    app.register_blueprint(sms_bp)
    from bots.ussd import bp as ussd_bp

    app.register_blueprint(ussd_bp)
    from bots.voice import bp as voice_bp

    app.register_blueprint(voice_bp)
    from bots.telegram import bp as telegram_bp

    app.register_blueprint(telegram_bp)

    from dashboard import init_dashboard

    init_dashboard(app)

    from palabre.signals import response_completed

    # Services announce; jobs act. Connecting twice (several apps in one process) is harmless.
    response_completed.connect(_refresh_profile, weak=False)

    from cli import register

    register(app)
    return app


def _refresh_profile(consultation_id: int) -> None:
    """Coalesce a profile refresh after a completed conversation (see workers.aggregate)."""
    from workers.aggregate import refresh_after_completion

    refresh_after_completion(consultation_id)


cli = FlaskGroup(create_app=create_app, add_default_commands=True, help="Palabre: consult citizens by SMS, USSD and Telegram.")

if __name__ == "__main__":
    cli()
