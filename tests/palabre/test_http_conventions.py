"""HTTP's conventions that clients rely on: a 405 names the allowed methods, a 401 names the scheme to use."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("post", "/healthz", {"GET", "HEAD", "OPTIONS"}),
    ("get", "/sms/twilio", {"POST", "OPTIONS"}),
    ("delete", "/api/v1/consultations", {"GET", "HEAD", "OPTIONS"}),
])
def test_405_lists_the_allowed_methods(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers.get("Allow", "").split(",")} == allowed


def test_the_api_405_stays_json(client):
    response = client.post("/api/v1/consultations")
    assert response.status_code == 405 and response.json["status"] == 405
    assert "GET" in response.headers["Allow"]


def test_401_without_a_token_asks_for_a_bearer_token(client):
    response = client.get("/api/v1/consultations")
    assert response.status_code == 401 and response.json["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


def test_401_with_an_unknown_token_says_the_token_is_invalid(client):
    response = client.get("/api/v1/consultations", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge  # RFC 6750, section 3.1
