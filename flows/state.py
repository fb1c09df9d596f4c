"""The state of one conversation: plain data that round-trips through JSON."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

ACTIVE, COMPLETED, DECLINED, EXPIRED, OPTED_OUT = "active", "completed", "declined", "expired", "opted_out"
STATUSES = (ACTIVE, COMPLETED, DECLINED, EXPIRED, OPTED_OUT)


@dataclass(frozen=True)
class State:
    language: str
    current: str | None = None  # id of the question awaiting an answer
    answers: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0  # invalid answers to the current question so far
    history: tuple[str, ...] = ()  # questions already answered or skipped, oldest first, for BACK
    status: str = ACTIVE
    last_activity: float = 0.0  # seconds since the epoch, given by the caller

    def with_(self, **changes: Any) -> State:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (built by hand: dataclasses.asdict deep-copies, on every message)."""
        return {"language": self.language, "current": self.current,
                "answers": {key: list(value) if isinstance(value, (list, tuple)) else value for key, value in self.answers.items()},
                "attempts": self.attempts, "history": list(self.history), "status": self.status,
                "last_activity": self.last_activity}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        """Rebuild a state saved with to_json."""
        return cls(**{**data, "history": tuple(data.get("history", ()))})
