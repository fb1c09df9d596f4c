"""A few lines for the terminal, read from the latest profile snapshot: how many answered, who is at risk."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Conversation
from palabre.aggregate import latest_snapshot
from palabre.config import Config
from palabre.consultations import flow_of, open_consultations
from profiles.labels import group_label, value_label


def exclusion_summary(session: Session, config: Config) -> list[str]:
    """Per open consultation: responses by status, the share at risk overall and by first group, the findings."""
    lines = []
    for consultation in open_consultations(session):
        flow = flow_of(consultation)
        counts = dict(session.execute(
            select(Conversation.status, func.count()).where(Conversation.consultation_id == consultation.id).group_by(Conversation.status)
        ).all())
        lines.append(f"\n{consultation.slug}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        snapshot = latest_snapshot(session, consultation.id)
        if flow.profile is None or snapshot is None:
            continue
        # The terminal speaks English: names from the flow in English when it has them, never district=nord codes.
        data, language = snapshot.data, "en" if "en" in flow.languages else flow.default_language
        overall, min_cell = data["overall"], data["overall"].get("min_cell") or config.MIN_CELL
        if overall.get("suppressed"):
            lines.append(f"  At risk of exclusion: fewer than {min_cell} respondents so far")
            continue
        # What may make the figures wrong comes before them, as on the pages.
        for warning in (data.get("representativeness") or {}).get("warnings") or []:
            texts = warning.get("title") or warning.get("text") or {}
            lines.append(f"  CAUTION: {texts.get(language) or next(iter(texts.values()), '')}")
        low, high = overall["H_ci"]
        lines.append(f"  At risk of exclusion (k={flow.profile.cutoff}): {overall['H']:.0%} ({low * 100:.0f}–{high * 100:.0f}) "
                     f"of {overall['n']} respondents, intensity A={overall['A']:.2f}, M0={overall['M0']:.3f}")
        sensitivity = overall.get("sensitivity")
        if sensitivity:
            lines.append(f"    with those not reached: {sensitivity['low'] * 100:.0f}–{sensitivity['high'] * 100:.0f}% "
                         "(see the profile's representativeness.coverage)")
        group = flow.profile.groups[0]
        lines.append(f"  {group_label(flow, group, language)}:")
        for entry in data["groups"].get(group, []):
            label = (entry.get("label") or {}).get(language) or value_label(flow, group, entry.get("value")).get(language, str(entry.get("value")))
            if entry.get("suppressed"):  # only a small cell has fewer than min_cell; a complementary one protects it
                shown = f"fewer than {min_cell}" if entry.get("suppression") == "small" else "hidden to protect a smaller group"
            else:
                low, high = entry["H_ci"]
                shown = f"{entry['H']:.0%} at risk ({low * 100:.0f}–{high * 100:.0f}), n = {entry['n']}"
            lines.append(f"    {label}: {shown}")
        lines += [f"  - {sentence}" for sentence in data.get("findings", {}).get(language, [])]
    return lines
