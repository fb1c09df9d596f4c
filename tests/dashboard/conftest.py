"""Fixtures for the officials' pages: accounts, a logged-in client, a stored profile snapshot."""

from __future__ import annotations

import re

import pytest

from models import Consultation, ProfileSnapshot
from palabre.accounts import create_token, create_user

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(loaded, db):
    """An admin and an analyst."""
    with db.session() as session:
        create_user(session, "admin@city.example", PASSWORD, "admin")
        create_user(session, "analyst@city.example", PASSWORD, "analyst")
        session.commit()
    return {"admin": "admin@city.example", "analyst": "analyst@city.example"}


def csrf_from(page: bytes) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1).decode()


def log_in(client, email: str, password: str = PASSWORD):
    token = csrf_from(client.get("/login?lang=en").data)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def admin(client, accounts):
    assert log_in(client, accounts["admin"]).status_code == 302
    return client


@pytest.fixture
def analyst(app, accounts):
    other = app.test_client()
    assert log_in(other, accounts["analyst"]).status_code == 302
    return other


@pytest.fixture
def token(accounts, db):
    with db.session() as session:
        value = create_token(session, accounts["analyst"])
        session.commit()
    return value


SNAPSHOT = {
    "min_cell": 10,
    "overall": {"n": 240, "n_eff": 180.5, "H": 0.42, "H_ci": [0.35, 0.49], "A": 0.51, "M0": 0.214,
                "censored_headcounts": {"far_office": 0.3}, "contributions": {"far_office": 0.35, "costly_trip": 0.25, "many_visits": 0.1,
                                                                              "long_wait": 0.1, "no_internet": 0.1, "no_help": 0.1},
                "deprived_share": {"far_office": 0.4}, "reliable": True, "suppressed": False},
    "groups": {"district": [
        {"value": "nord", "n": 60, "n_eff": 45.0, "H": 0.81, "H_ci": [0.69, 0.89], "A": 0.55, "M0": 0.446,
         "censored_headcounts": {}, "contributions": {"far_office": 0.5, "costly_trip": 0.3, "no_help": 0.2},
         "deprived_share": {}, "reliable": True, "suppressed": False},
        {"value": "centre", "n": 80, "n_eff": 70.0, "H": 0.2, "H_ci": [0.12, 0.3], "A": 0.4, "M0": 0.08,
         "censored_headcounts": {}, "contributions": {"no_internet": 1.0}, "deprived_share": {}, "reliable": True, "suppressed": False},
        {"value": "est", "n": None, "suppressed": True, "suppression": "small"},
    ]},
    "robustness": [{"cutoff": 0.25, "H": 0.5, "M0": 0.23}],
    "representativeness": {}, "funnel": {},
    "findings": {"fr": ["Nord : 81 % à risque (69–89), surtout distance et coût"], "en": ["North: 81% at risk (69–89), mostly distance and cost"]},
}


@pytest.fixture
def snapshot(loaded, db, now):
    """A stored profile snapshot for the shipped consultation (the worker's output, as pages read it)."""
    with db.session() as session:
        consultation = session.query(Consultation).filter_by(slug="access-barriers").one()
        session.add(ProfileSnapshot(consultation_id=consultation.id, computed_at=now, responses=240, data=SNAPSHOT))
        session.commit()
    return SNAPSHOT
