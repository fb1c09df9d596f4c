"""A brake on password guessing, counted in the database so every web worker and machine sees the same failures.

Two limits within a sliding window: one address guessing one account's password, and one address trying a few
common passwords against many accounts (password spraying). A success clears only that account's failures from
that address. Logins are rare, so a row per failure costs nothing; rows older than the window are pruned as new
ones arrive.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import LoginFailure

FAILURES_PER_ACCOUNT = 5  # failed logins per (address, account) within the window
FAILURES_PER_ADDRESS = 20  # failed logins per address, whatever the accounts, within the window
WINDOW_SECONDS = 15 * 60


def throttled(session: Session, address: str, email: str, now: datetime) -> bool:
    """Whether this address must wait before trying this account (or any account) again."""
    recent = select(func.count()).select_from(LoginFailure).where(
        LoginFailure.address == _address(address), LoginFailure.failed_at > now - timedelta(seconds=WINDOW_SECONDS))
    if session.scalar(recent) >= FAILURES_PER_ADDRESS:
        return True
    return session.scalar(recent.where(LoginFailure.account == _account(email))) >= FAILURES_PER_ACCOUNT


def record_failure(session: Session, address: str, email: str, now: datetime) -> None:
    """Count a failed login, and forget those older than the window."""
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - timedelta(seconds=WINDOW_SECONDS)))
    session.add(LoginFailure(address=_address(address), account=_account(email), failed_at=now))


def clear(session: Session, address: str, email: str) -> None:
    """Forget this account's failures from this address after a successful login (the address's others stay)."""
    session.execute(delete(LoginFailure).where(LoginFailure.address == _address(address),
                                               LoginFailure.account == _account(email)))


def _address(address: str | None) -> str:
    return (address or "unknown")[:64]


def _account(email: str) -> str:
    # A hash: the email field sometimes receives a password typed in the wrong box.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()
