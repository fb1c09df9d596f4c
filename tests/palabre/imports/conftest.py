"""A consultation running the form the sample submission files were collected with."""

from __future__ import annotations

import pytest

from palabre.consultations import upsert_consultation
from flows.loader import load_flow
from tests.conftest import DATA

FORM = DATA / "forms" / "access_barriers.yaml"  # the shipped flow as the samples' form was exported from it


@pytest.fixture
def consultation(app, db):
    """The samples' consultation, opened: its slug."""
    with db.session() as session:
        upsert_consultation(session, load_flow(FORM), FORM.read_text(encoding="utf-8"))
        session.commit()
    return "access-barriers"
