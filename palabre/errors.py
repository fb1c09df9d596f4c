"""HTTP errors answered briefly and clearly: a webhook caller or a browser always learns what went wrong."""

from __future__ import annotations

import logging
import traceback

from typing import Any

from flask import Flask, jsonify, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a body nested too deep to parse is invalid JSON like any other (a 400)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            # Python's parser recurses once per level and gives up a few thousand levels down.
            raise ValueError("JSON nested too deeply") from None


def register_error_handlers(app: Flask) -> None:
    """Answer every HTTP error with its status and a one-line reason (JSON for API and JSON callers)."""
    app.json = JSONProvider(app)  # request.get_json: too deep a body is a 400 too

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Keep the headers the error carries (a 405's Allow, a 401's WWW-Authenticate): clients act on them.
        headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
        return _answer(error.code or 500, error.description or error.name, headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: Exception):
        # Unreachable, restarting, out of disk: the caller should come back (Telegram resends the
        # update; nothing of this request was committed). The type only, as below.
        log.error("database unavailable on %s %s: %s", request.method, request.path,
                  type(getattr(error, "orig", None) or error).__name__)
        return _answer(503, "The database is unavailable; try again in a moment.", {"Retry-After": "30"})

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        # The type and the stack, not the message: a database error's message can quote a
        # citizen's number or text among its parameters.
        stack = "".join(traceback.format_tb(error.__traceback__))
        log.error("unhandled %s on %s %s\n%s", type(error).__name__, request.method, request.path, stack)
        return _answer(500, InternalServerError.description)


def _answer(status: int, reason: str, headers: dict[str, str] | None = None):
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": reason, "status": status}), status, headers or {}
    return reason + "\n", status, {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}
