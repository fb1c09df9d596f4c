"""Every setting, read from the environment in one place, with its documented default."""

from __future__ import annotations

import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Mapping

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///instance/palabre.db"


@dataclass(frozen=True)
class Config:
    DATABASE_URL: str = DEFAULT_DATABASE_URL
    REDIS_URL: str | None = None  # unset: jobs run inline, in the same process
    SECRET_KEY: str = ""
    PUBLIC_BASE_URL: str | None = None  # e.g. https://palabre.example.org, used to check webhook signatures
    PSEUDONYM_KEY: str = ""  # HMAC key turning a phone number or Telegram id into a pseudonym
    MIN_CELL: int = 10  # fewest respondents a published figure may describe
    CONVERSATION_IDLE_HOURS: float = 72.0  # an unanswered conversation expires after this
    FLOWS_DIR: str = str(ROOT / "flows" / "library")
    INSTANCE_DIR: str = "instance"
    LOG_LEVEL: str = "WARNING"
    TESTING: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """Read the settings from environment variables."""
        env = os.environ if env is None else env
        instance = env.get("INSTANCE_DIR", "instance")
        return cls(
            DATABASE_URL=normalise_database_url(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            REDIS_URL=env.get("REDIS_URL") or None,
            SECRET_KEY=env.get("SECRET_KEY") or _instance_secret(instance, "secret_key"),
            PUBLIC_BASE_URL=(env.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
            PSEUDONYM_KEY=env.get("PSEUDONYM_KEY") or _instance_secret(instance, "pseudonym_key"),
            MIN_CELL=int(env.get("MIN_CELL") or 10),
            CONVERSATION_IDLE_HOURS=float(env.get("CONVERSATION_IDLE_HOURS") or 72),
            FLOWS_DIR=env.get("FLOWS_DIR") or str(ROOT / "flows" / "library"),
            INSTANCE_DIR=instance,
            LOG_LEVEL=(env.get("LOG_LEVEL") or "WARNING").upper(),
        )

    def replace(self, **changes: object) -> Config:
        """A copy with some settings changed (tests, CLI options)."""
        known = {k: v for k, v in changes.items() if k in self.__dataclass_fields__}
        extra = {**self.extra, **{k: v for k, v in changes.items() if k not in known}}
        if "DATABASE_URL" in known:
            known["DATABASE_URL"] = normalise_database_url(str(known["DATABASE_URL"]))
        return Config(**{**asdict(self), **known, "extra": extra})

    def as_flask(self) -> dict[str, object]:
        """The settings as a Flask config mapping."""
        data = asdict(self)
        extra = data.pop("extra")
        return {**data, **extra}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way (postgres://, postgresql://)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret(instance_dir: str, name: str) -> str:
    """A random secret kept in the instance folder, so the embedded setup needs no configuration.

    Pseudonyms must stay stable across restarts, so the key is created once and then reused.
    Production sets SECRET_KEY and PSEUDONYM_KEY in the environment instead.
    """
    path = Path(instance_dir) / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
