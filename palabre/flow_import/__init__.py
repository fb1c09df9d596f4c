"""Consultations that already exist elsewhere, turned into Palabre flow files: XLSForm (and RapidPro)."""

from __future__ import annotations

from dataclasses import dataclass, field


class ImportRefused(ValueError):
    """The source cannot become a flow; `problems` name where (a row, a node) and why."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Imported:
    """A flow as YAML-ready data, and what the import had to leave out or change (each a sentence)."""

    data: dict
    warnings: list[str] = field(default_factory=list)
