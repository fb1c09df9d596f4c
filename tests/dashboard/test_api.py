"""The JSON API: token auth, clear errors, the documented shapes."""

from __future__ import annotations

import csv
import io

import pytest
from openapi_spec_validator import validate

from tests.dashboard.conftest import SNAPSHOT


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}])
def test_requests_without_a_valid_token_get_401_json(client, accounts, headers):
    response = client.get("/api/v1/consultations", headers=headers)
    assert response.status_code == 401 and response.is_json and "token" in response.json["error"]


def test_list_and_one_consultation(client, token):
    listed = client.get("/api/v1/consultations", headers=bearer(token)).json["consultations"]
    assert [c["slug"] for c in listed] == ["access-barriers"] and listed[0]["status"] == "open"
    one = client.get("/api/v1/consultations/access-barriers", headers=bearer(token)).json
    assert [q["id"] for q in one["questions"]][:3] == ["lang", "consent", "district"]


def test_unknown_slug_is_a_404_with_a_message(client, token):
    response = client.get("/api/v1/consultations/nope/actions", headers=bearer(token))
    assert response.status_code == 404 and response.json == {"error": "No consultation 'nope'.", "status": 404}


def test_profile_is_the_latest_snapshot_or_a_clear_404(client, token, db, now):
    missing = client.get("/api/v1/consultations/access-barriers/profile", headers=bearer(token))
    assert missing.status_code == 404 and "aggregate access-barriers" in missing.json["error"]


def test_profile_keys_are_those_of_profiles_compute(client, token, snapshot):
    body = client.get("/api/v1/consultations/access-barriers/profile", headers=bearer(token)).json
    assert body["overall"] == SNAPSHOT["overall"] and body["groups"]["district"][2] == {"value": "est", "n": None, "suppressed": True, "suppression": "small"}
    assert {"computed_at", "responses", "robustness", "representativeness", "funnel", "findings"} <= set(body)


def test_responses_csv_has_no_number_and_filters_by_status(client, token, runner, db):
    from sqlalchemy import select

    from models import ChannelAddress

    runner.invoke(args=["demo", "--no-serve", "--citizens", "12"])
    response = client.get("/api/v1/consultations/access-barriers/responses.csv?status=completed", headers=bearer(token))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert rows and {r["status"] for r in rows} == {"completed"}
    with db.session() as session:
        for number in session.scalars(select(ChannelAddress.address)):
            assert number.lstrip("+") not in response.data.decode()
    bad = client.get("/api/v1/consultations/access-barriers/responses.csv?status=nonsense", headers=bearer(token))
    assert bad.status_code == 422 and "status must be one of" in bad.json["error"]


def test_writes_are_refused_with_json(client, token):
    response = client.post("/api/v1/consultations", headers=bearer(token))
    assert response.status_code == 405 and response.is_json


def test_openapi_document_is_valid(client):
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    assert set(document["paths"]) == {
        "/api/v1/consultations", "/api/v1/consultations/{slug}", "/api/v1/consultations/{slug}/profile",
        "/api/v1/consultations/{slug}/responses.csv", "/api/v1/consultations/{slug}/actions",
    }
