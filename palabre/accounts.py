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
PREFIX_RANDOM_CHARS = 8  # random characters after TOKEN_PREFIX kept in clear, to name a token (ApiToken.prefix)
# Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


class AccountError(ValueError):
    """A request about an account that cannot be done, with a reason a person can act on."""


def create_user(session: Session, email: str, password: str, role: str) -> User:
    """Create an official's account."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    _check_password(password)
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
    if not check_password_hash(user.password_hash, password) or user.is_disabled:
        return None
    user.last_login_at = utcnow()
    return user


def set_password(session: Session, email: str, password: str) -> User:
    """Replace a user's password and end their sessions (a password changed because it leaked must lock the thief out)."""
    _check_password(password)
    user = _user(session, email)
    user.password_hash = generate_password_hash(password)
    end_sessions(user)
    return user


def disable_user(session: Session, email: str) -> User:
    """Stop a user at once: no more login, their sessions end, their API tokens are refused."""
    user = _user(session, email)
    if user.disabled_at is None:
        user.disabled_at = utcnow()
    end_sessions(user)
    return user


def end_sessions(user: User) -> None:
    """End every session of a user, on every device: each request compares the cookie's version with this one."""
    user.session_version += 1


def session_is_current(user: User | None, version: object) -> bool:
    """Whether a session cookie carrying this version still belongs to an active user."""
    return user is not None and not user.is_disabled and version == user.session_version


def create_token(session: Session, email: str) -> str:
    """A new API token for a user; only its hash is kept, so this is the one time it is seen."""
    user = _user(session, email)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), prefix=token[:len(TOKEN_PREFIX) + PREFIX_RANDOM_CHARS]))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The user a bearer token belongs to, if it is valid and not revoked."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.is_disabled:
        return None
    row.last_used_at = utcnow()
    return user


def revoke_tokens(session: Session, prefix_or_email: str) -> tuple[User, list[ApiToken]]:
    """Revoke one token named by its first characters (as `tokens create` printed it), or all of a user's by email."""
    value = prefix_or_email.strip()
    active = select(ApiToken).where(ApiToken.revoked_at.is_(None))
    if "@" in value:
        user = _user(session, value)
        rows = list(session.scalars(active.where(ApiToken.user_id == user.id)))
        if not rows:
            raise AccountError(f"{user.email} has no active token")
    else:
        # Only the first characters are stored in clear (ApiToken.prefix); a whole token is found by its hash.
        if len(value) > len(TOKEN_PREFIX) + PREFIX_RANDOM_CHARS:
            rows = list(session.scalars(active.where(ApiToken.token_hash == hash_token(value))))
        else:
            rows = list(session.scalars(active.where(ApiToken.prefix.startswith(value, autoescape=True))))
        if not rows:
            raise AccountError(f"no active token starts with {value}")
        if len(rows) > 1:
            raise AccountError(f"{len(rows)} tokens start with {value}; give more of the token")
        user = session.get(User, rows[0].user_id)
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    return user, rows


def hash_token(token: str) -> str:
    """SHA-256 of a token: tokens are long random strings, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


def _user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email, strict=False)))
    if user is None:
        raise AccountError(f"no account for {email.strip()}")
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")


def normalise_email(email: str, strict: bool = True) -> str:
    """An email address in the form accounts are stored under."""
    value = (email or "").strip().lower()
    if strict and (len(value) > 254 or "@" not in value or value.startswith("@") or value.endswith("@")):
        raise AccountError(f"not an email address: {email!r}")
    return value
