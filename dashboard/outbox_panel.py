"""The outbox panel's counts: every message the panel speaks of in exactly one part, so the parts add up to the total."""

from __future__ import annotations

from dataclasses import dataclass

# Statuses as the panel groups them. Inline replies went back in the webhook's own answer (TwiML, a USSD
# screen): they never pass through the outbox, so the panel neither counts nor shows them.
PARTS = {
    "sent": ("sent", "delivered"),
    "waiting": ("queued", "sending"),
    "failed": ("failed", "undelivered"),
    "skipped": ("skipped",),
    "unknown": ("unknown",),
}
INLINE = "inline"


@dataclass(frozen=True)
class Panel:
    total: int
    parts: dict[str, int]  # sent, waiting, failed, skipped, unknown, other: each message in exactly one


def outbox_panel(counts: dict[str, int]) -> Panel:
    """Group the outbox's counts by status into the panel's parts; a status it does not know counts as other."""
    parts = {part: sum(counts.get(status, 0) for status in statuses) for part, statuses in PARTS.items()}
    known = {status for statuses in PARTS.values() for status in statuses} | {INLINE}
    parts["other"] = sum(n for status, n in counts.items() if status not in known)
    return Panel(sum(parts.values()), parts)
