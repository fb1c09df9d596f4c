"""Named errors of the flows package."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a flow file, located by its path inside the file."""

    path: str
    message: str
    level: str = "error"  # or "warning": reported, but the flow still loads

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class FlowInvalid(ValueError):
    """A flow file that cannot be run; carries every problem found."""

    def __init__(self, problems: list[Problem], source: str = ""):
        self.problems = problems
        self.source = source
        errors = [p for p in problems if p.level == "error"]
        head = f"{source}: " if source else ""
        super().__init__(head + "; ".join(str(p) for p in errors))
