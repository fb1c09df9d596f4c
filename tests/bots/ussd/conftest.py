"""Fixtures for the USSD channel: webhooks opened by shared secret, a citizen dialling by Africa's Talking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakes.ussd_requests import AtSession, ussd_settings
from palabre.config import ROOT

SECONDS_PER_REQUEST = 10


@pytest.fixture(autouse=True)
def clock(monkeypatch, now):
    """Freeze the webhook's clock: each request happens 10 s after the previous one."""
    state = {"now": now}

    def tick():
        state["now"] += timedelta(seconds=SECONDS_PER_REQUEST)
        return state["now"]

    monkeypatch.setattr("bots.ussd.utcnow", tick)
    return tick


@pytest.fixture
def settings(settings):
    """The test settings with USSD_SHARED_SECRET set."""
    return ussd_settings(settings)


@pytest.fixture
def dial(loaded, client):
    """Open an Africa's Talking session as a citizen: `dial(phone)` returns an AtSession (not yet dialled)."""

    def _dial(phone: str = "+447700900101", session_id: str | None = None) -> AtSession:
        return AtSession(client, phone, session_id)

    return _dial


@pytest.fixture
def long_menu(app, db):
    """Only the pager's test flow open: a 14-choice menu, then a number, then free text."""
    from flows.loader import load_flow
    from palabre.consultations import upsert_consultation

    path = ROOT / "tests" / "data" / "flows" / "ussd_long_menu.yaml"
    with db.session() as session:
        upsert_consultation(session, load_flow(path), path.read_text(encoding="utf-8"))
        session.commit()
    return app
