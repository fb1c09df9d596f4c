"""Bearer-token authentication for the API, with JSON errors a client can act on."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import g, jsonify, request

from palabre.accounts import user_for_token
from palabre.extensions import db_session


# RFC 6750, section 3: a 401 names the scheme to use, and says invalid_token when the one sent was refused.
CHALLENGE = 'Bearer realm="palabre"'


def api_error(status: int, message: str, headers: dict[str, str] | None = None):
    """A JSON error response."""
    return jsonify({"error": message, "status": status}), status, headers or {}


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse a request without a valid `Authorization: Bearer <token>` header."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return api_error(401, "Send an API token: Authorization: Bearer <token> (create one with `python app.py tokens create EMAIL`).",
                             {"WWW-Authenticate": CHALLENGE})
        user = user_for_token(db_session(), token.strip())
        if user is None:
            return api_error(401, "This API token is unknown or revoked.", {"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'})
        db_session().commit()  # last_used_at
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped
