"""A few lines for the terminal: how many answered, and who is at risk of exclusion."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Conversation
from palabre.config import Config
from palabre.consultations import flow_of, open_consultations
from palabre.responses import completed_answers
from profiles.alkire_foster import af_measures
from profiles.deprivation import deprivation_matrix, indicator_weights


def exclusion_summary(session: Session, config: Config) -> list[str]:
    """Per open consultation: responses by status, and the share at risk overall and by first group."""
    lines = []
    for consultation in open_consultations(session):
        flow = flow_of(consultation)
        counts = dict(session.execute(
            select(Conversation.status, func.count()).where(Conversation.consultation_id == consultation.id).group_by(Conversation.status)
        ).all())
        lines.append(f"\n{consultation.slug}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        if flow.profile is None:
            continue
        respondents = list(completed_answers(session, consultation))
        if not respondents:
            continue
        profile = flow.profile
        weights = indicator_weights(profile)
        overall = af_measures(deprivation_matrix(profile, respondents), weights, profile.cutoff)
        lines.append(f"  At risk of exclusion (k={profile.cutoff}): {overall.H:.0%} of {overall.n} respondents, "
                     f"intensity A={overall.A:.2f}, M0={overall.M0:.3f} (unweighted)")
        group = profile.groups[0]
        question = flow.question(group) if group in {q.id for q in flow.questions} else None
        by_value: dict[str, list] = defaultdict(list)
        for answers in respondents:
            value = answers.get(group)
            key = question.band(value) if question is not None and question.bands else value
            by_value[str(key)].append(answers)
        min_cell = profile.min_cell or config.MIN_CELL
        for value, members in sorted(by_value.items()):
            if len(members) < min_cell:
                lines.append(f"  {group}={value}: fewer than {min_cell}")
                continue
            result = af_measures(deprivation_matrix(profile, members), weights, profile.cutoff)
            lines.append(f"  {group}={value}: {result.H:.0%} at risk (n={result.n})")
    return lines
