"""Officials' accounts and API tokens: hashed passwords, hashed tokens shown once."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import ROLES, ApiToken, User, utcnow

MIN_PASSWORD_CHARS = 10
TOKEN_PREFIX = "plb_"
# Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


class AccountError(ValueError):
    """A request about an account that cannot be done, with a reason a person can act on."""


def create_user(session: Session, email: str, password: str, role: str) -> User:
    """Create an official's account."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(f"an account already exists for {email}")
    user = User(email=email, password_hash=generate_password_hash(password), role=role)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with these credentials, or None."""
    user = session.scalar(select(User).where(User.email == normalise_email(email, strict=False)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    return user


def create_token(session: Session, email: str) -> str:
    """A new API token for a user; only its hash is kept, so this is the one time it is seen."""
    user = session.scalar(select(User).where(User.email == normalise_email(email, strict=False)))
    if user is None:
        raise AccountError(f"no account for {email}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), prefix=token[:12]))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The user a bearer token belongs to, if it is valid and not revoked."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)))
    if row is None:
        return None
    row.last_used_at = utcnow()
    return session.get(User, row.user_id)


def hash_token(token: str) -> str:
    """SHA-256 of a token: tokens are long random strings, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str, strict: bool = True) -> str:
    """An email address in the form accounts are stored under."""
    value = (email or "").strip().lower()
    if strict and (len(value) > 254 or "@" not in value or value.startswith("@") or value.endswith("@")):
        raise AccountError(f"not an email address: {email!r}")
    return value
