"""Every response forbids framing, sniffing and leaking its address, and pages need nothing the policy refuses."""

from __future__ import annotations

import re

import pytest

from fakes.ussd_requests import AT_PATH, SECRET, at_payload, ussd_settings


def assert_protected(response) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy, response.request.path
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"


def test_pages_are_protected(admin, snapshot):
    for path in ("/login", "/dashboard/", "/dashboard/access-barriers", "/results/access-barriers", "/static/palabre.css"):
        response = admin.get(path)
        assert response.status_code == 200, path
        assert_protected(response)


def test_the_api_and_its_errors_are_protected(client, token):
    assert_protected(client.get("/api/v1/consultations", headers={"Authorization": f"Bearer {token}"}))
    assert_protected(client.get("/api/v1/consultations"))  # 401


def test_webhooks_are_protected(settings, loaded):
    from app import create_app

    client = create_app(ussd_settings(settings)).test_client()
    answered = client.post(f"{AT_PATH}?secret={SECRET}", data=at_payload())
    assert answered.status_code == 200 and answered.get_data(as_text=True).startswith("CON ")
    assert_protected(answered)
    assert_protected(client.post("/sms/twilio", data={"From": "+447700900101", "Body": "hi"}))  # unsigned: refused


def test_not_found_is_protected(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert_protected(response)


@pytest.mark.parametrize("path", ["/", "/login", "/dashboard/", "/dashboard/access-barriers", "/results/access-barriers",
                                  "/dashboard/access-barriers/actions/new", "/dashboard/access-barriers/simulator/"])
def test_pages_have_no_inline_style_or_script_the_policy_would_block(admin, snapshot, path):
    page = admin.get(path + "?lang=en").get_data(as_text=True)
    assert admin.get(path).status_code == 200
    assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", page, re.IGNORECASE), path
