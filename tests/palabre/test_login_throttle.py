"""The failed-login counts: per account and per address, over a window, kept small."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from models import LoginFailure
from palabre import login_throttle
from palabre.login_throttle import FAILURES_PER_ACCOUNT, WINDOW_SECONDS


def test_failures_older_than_the_window_no_longer_count_and_are_pruned(db, now):
    with db.session() as session:
        for _ in range(FAILURES_PER_ACCOUNT):
            login_throttle.record_failure(session, "192.0.2.7", "a@city.example", now)
        session.commit()
        assert login_throttle.throttled(session, "192.0.2.7", "A@City.example ", now)
        later = now + timedelta(seconds=WINDOW_SECONDS + 1)
        assert not login_throttle.throttled(session, "192.0.2.7", "a@city.example", later)
        login_throttle.record_failure(session, "192.0.2.7", "a@city.example", later)
        session.commit()
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 1, "the old rows are gone"


def test_the_typed_email_is_not_stored(db, now):
    with db.session() as session:
        login_throttle.record_failure(session, "192.0.2.7", "my secret password", now)
        session.commit()
        row = session.scalar(select(LoginFailure))
    assert "secret" not in row.account and row.address == "192.0.2.7"
