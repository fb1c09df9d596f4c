"""Who may call the USSD webhooks: gateways do not sign callbacks, so an allow-list and/or a shared secret."""

from __future__ import annotations

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from app import create_app
from bots.ussd_guard import NOT_CONFIGURED, address_allowed, secret_matches
from fakes.ussd_requests import AT_PATH, SECRET, at_payload, count_rows, post_at
from models import InboundMessage, Participant

GATEWAY = "198.51.100.7"  # TEST-NET-2: documentation addresses
STRANGER = "203.0.113.5"  # TEST-NET-3


@pytest.fixture
def client_with(loaded, settings):
    """A client of an app on the same database with other USSD settings."""

    def _client(**changes):
        return create_app(settings.replace(**changes)).test_client()

    return _client


def post_from(client, address: str, secret: str | None = None, **headers):
    url = AT_PATH + (f"?secret={secret}" if secret else "")
    return client.post(url, data=at_payload(), environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_with_nothing_configured_every_call_is_refused_and_nothing_stored(client_with, db):
    client = client_with(USSD_SHARED_SECRET=None, USSD_ALLOWED_IPS=())
    response = post_from(client, GATEWAY, secret="anything")
    assert response.status_code == 403 and NOT_CONFIGURED in response.get_data(as_text=True)
    assert count_rows(db, InboundMessage) == 0 and count_rows(db, Participant) == 0


def test_the_shared_secret_is_required_in_the_url_or_a_header(client, db):
    assert post_at(client, at_payload(), secret=None).status == 403
    assert post_at(client, at_payload(), secret="wrong").status == 403
    assert post_at(client, at_payload(), secret=SECRET[:-1]).status == 403
    assert count_rows(db, InboundMessage) == 0
    assert post_at(client, at_payload(), secret=SECRET).status == 200
    response = client.post(AT_PATH, data=at_payload(sessionId="ATUid_header"), headers={"X-Ussd-Secret": SECRET})
    assert response.status_code == 200


def test_the_allow_list_admits_addresses_and_blocks_in_cidr_form(client_with):
    client = client_with(USSD_SHARED_SECRET=None, USSD_ALLOWED_IPS=("198.51.100.0/24", "2001:db8::/32"))
    assert post_from(client, GATEWAY).status_code == 200
    assert post_from(client, STRANGER).status_code == 403
    assert post_from(client, "2001:db8::1").status_code == 200
    assert post_from(client, "::ffff:198.51.100.9").status_code == 200  # IPv4 seen through an IPv6 socket


def test_a_forwarded_for_header_is_not_believed_without_proxyfix(client_with):
    client = client_with(USSD_SHARED_SECRET=None, USSD_ALLOWED_IPS=(GATEWAY,))
    assert post_from(client, STRANGER, **{"X-Forwarded-For": GATEWAY}).status_code == 403


def test_behind_a_proxy_proxyfix_makes_the_gateway_address_the_client(loaded, settings):
    app = create_app(settings.replace(USSD_SHARED_SECRET=None, USSD_ALLOWED_IPS=(GATEWAY,)))
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # one trusted proxy in front, as documented
    client = app.test_client()
    assert post_from(client, "127.0.0.1", **{"X-Forwarded-For": GATEWAY}).status_code == 200
    # A caller's own X-Forwarded-For is kept by the proxy but only its last hop is trusted.
    assert post_from(client, "127.0.0.1", **{"X-Forwarded-For": f"{GATEWAY}, {STRANGER}"}).status_code == 403


def test_with_both_configured_both_must_pass(client_with):
    client = client_with(USSD_SHARED_SECRET=SECRET, USSD_ALLOWED_IPS=(GATEWAY,))
    assert post_from(client, GATEWAY, secret=SECRET).status_code == 200
    assert post_from(client, GATEWAY, secret="wrong").status_code == 403
    assert post_from(client, STRANGER, secret=SECRET).status_code == 403


def test_a_malformed_allow_list_entry_allows_nothing_and_breaks_nothing(client_with):
    client = client_with(USSD_SHARED_SECRET=None, USSD_ALLOWED_IPS=("gateway.example.org", GATEWAY))
    assert post_from(client, GATEWAY).status_code == 200
    assert post_from(client, STRANGER).status_code == 403


@pytest.mark.parametrize("address", [None, "", "localhost", "198.51.100.7.1", "fe80::1%eth0"])
def test_odd_peer_addresses_are_refused(address):
    assert not address_allowed(address, ("198.51.100.0/24",))


def test_secret_comparison():
    assert secret_matches("s3cret", "s3cret")
    assert not secret_matches(None, "s3cret") and not secret_matches("", "s3cret") and not secret_matches("s3cre", "s3cret")
    assert secret_matches("sécret", "sécret")
