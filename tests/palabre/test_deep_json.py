"""JSON nested 5,000 levels deep (Python's parser gives up with a RecursionError) is bad input: a 4xx, never a 500.

A 500 makes Telegram resend the same update forever; a 400 makes it drop the update.
"""

from __future__ import annotations

import pytest

from app import create_app
from fakes.telegram_updates import SECRET, SECRET_HEADER
from fakes.ussd_requests import SECRET as USSD_SECRET

DEPTH = 5_000
NESTED_LIST = "[" * DEPTH + "]" * DEPTH
NESTED_IN_AN_UPDATE = '{"update_id": 10000, "message": ' + '{"a": ' * DEPTH + "1" + "}" * DEPTH + "}"


@pytest.fixture
def client(settings):
    configured = settings.replace(TELEGRAM_BOT_TOKEN="123:ABC", TELEGRAM_WEBHOOK_SECRET=SECRET, USSD_SHARED_SECRET=USSD_SECRET)
    return create_app(configured).test_client()


@pytest.mark.parametrize("body", [NESTED_LIST, NESTED_IN_AN_UPDATE], ids=["list", "inside-an-update"])
def test_the_telegram_webhook_refuses_deep_json_with_a_400(client, body, caplog):
    response = client.post("/telegram/webhook", data=body, content_type="application/json", headers={SECRET_HEADER: SECRET})
    assert response.status_code == 400
    assert "unhandled" not in caplog.text


def test_the_hubtel_webhook_refuses_deep_json_with_a_400(client, caplog):
    response = client.post(f"/ussd/hubtel?secret={USSD_SECRET}", data=NESTED_LIST, content_type="application/json")
    assert response.status_code == 400 and "JSON object" in response.get_data(as_text=True)
    assert "unhandled" not in caplog.text


def test_the_api_answers_deep_json_with_its_usual_4xx(client, caplog):
    response = client.post("/api/v1/consultations", data=NESTED_LIST, content_type="application/json")
    assert response.status_code == 405 and response.json["status"] == 405
    assert "unhandled" not in caplog.text
