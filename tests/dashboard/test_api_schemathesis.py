"""Schemathesis drives every documented endpoint with generated inputs: responses must match the document."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from app import create_app
from tests.conftest import LIBRARY


@pytest.fixture(scope="module")
def api_app(database_url, tmp_path_factory):
    """An app with the shipped consultation, a snapshot and a token (module-scoped: schemathesis reuses it)."""
    from palabre.config import Config
    from tests.conftest import _empty
    from tests.dashboard.conftest import SNAPSHOT

    config = Config(DATABASE_URL=database_url, SECRET_KEY="s", PSEUDONYM_KEY="p", FLOWS_DIR=str(LIBRARY),
                    INSTANCE_DIR=str(tmp_path_factory.mktemp("instance")))
    app = create_app(config)
    database = app.extensions["palabre.database"]
    _empty(database)
    from models import ProfileSnapshot, utcnow
    from palabre.accounts import create_token, create_user
    from palabre.consultations import get_consultation, load_library

    with database.session() as session:
        load_library(session, LIBRARY)
        create_user(session, "reader@city.example", "a long enough password", "analyst")
        token = create_token(session, "reader@city.example")
        consultation = get_consultation(session, "access-barriers")
        session.add(ProfileSnapshot(consultation_id=consultation.id, computed_at=utcnow(), responses=240, data=SNAPSHOT))
        session.commit()
    app.config["TEST_TOKEN"] = token
    yield app
    _empty(database)
    database.dispose()


def test_api_conforms_to_its_openapi_document(api_app):
    """Every operation, with generated parameters, answers as its OpenAPI document says."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    headers = {"Authorization": f"Bearer {api_app.config['TEST_TOKEN']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=20, suppress_health_check=list(HealthCheck), deadline=None, derandomize=True)
        def check(case):
            case.call_and_validate(headers=headers)

        check()
