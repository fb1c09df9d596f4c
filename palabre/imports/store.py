"""Import a file of submissions into a consultation: check every row with the engine, then store all or none.

Each submission becomes a finished conversation of its own participant, who has a pseudonym and no
address (nobody to reply to). Both are named after the submission's own id (a hash of the row when
it has none), keyed with PSEUDONYM_KEY: importing the same file again finds them and stores nothing,
and a participant erased since stays erased. Enumerators' and devices' ids are stored only as
pseudonyms (keyed the same way), beside the relay the enumerator named (models/offline_collection.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy.orm import Session

from models import Answer, Consultation, Conversation, OfflineCollection, Participant
from palabre import identity
from palabre.config import Config
from palabre.consultations import flow_of
from palabre.imports.check import Checked, Memo, check
from palabre.imports.detect import read_file
from palabre.imports.layout import Layout
from palabre.imports.rows import OFFLINE_CHANNELS, ImportRefused, Problem, Submission
from palabre.signals import response_completed
from palabre.upsert import insert_ignore

log = logging.getLogger(__name__)

SCHEME = "import"  # what the participant's pseudonym is keyed on, beside `tel` and `telegram`
RESPONSE_ID_CHARS = 16  # as long as the random ids of conversations held by SMS
Progress = Callable[[int, int], None]  # (rows done, rows in all), after each row


@dataclass
class Prepared:
    """A file read and checked, nothing stored yet: what the official confirms."""

    layout: Layout
    rows: int
    valid: list[Checked] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # kept out by a reviewer's verdict, or repeated rows
    channels: dict[str, int] = field(default_factory=dict)
    enumerators: dict[str | None, int] = field(default_factory=dict)  # valid rows per enumerator's pseudonym

    @property
    def by_enumerator(self) -> list[tuple[str | None, int]]:
        """Valid rows per enumerator's pseudonym, most first (None: the file does not say who)."""
        return sorted(self.enumerators.items(), key=lambda item: (-item[1], item[0] or ""))

    @property
    def invalid_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})


@dataclass(frozen=True)
class Stored:
    """What an import stored: new conversations, and those already there from an earlier import."""

    stored: int
    already: int


def prepare(consultation: Consultation, data: bytes, filename: str, now: datetime, channel: str | None = None,
            progress: Progress | None = None, *, pseudonym_key: str) -> Prepared:
    """Read and check every row against the consultation's flow; ImportRefused for a file that is not its."""
    if channel is not None and channel not in OFFLINE_CHANNELS:
        raise ImportRefused(f"channel '{channel}': imported responses are {' or '.join(OFFLINE_CHANNELS)}")
    flow = flow_of(consultation)
    layout, submissions = read_file(data, filename, flow,
                                    lambda kind, raw: identity.pseudonym(pseudonym_key, kind, raw))
    _same_flow(consultation, submissions)
    prepared = Prepared(layout, len(submissions))
    seen: dict[str, int] = {}
    memo = Memo()  # each distinct cell of the file read once
    for done, submission in enumerate(submissions, start=1):
        if progress:
            progress(done, len(submissions))
        if submission.skipped:
            prepared.skipped.append(Problem(submission.row, None, f"{submission.skipped}: not imported"))
            continue
        if submission.key in seen:
            prepared.skipped.append(Problem(submission.row, None, f"the same submission as row {seen[submission.key]}: stored once"))
            continue
        seen[submission.key] = submission.row
        row_channel, problems = _channel(layout, submission, channel)
        result = check(flow, submission, (submission.completed_at or now).timestamp(), memo)
        problems += result if isinstance(result, list) else []
        if problems:
            prepared.problems += problems
            continue
        submission.channel = row_channel
        prepared.valid.append(result)  # type: ignore[arg-type]
        prepared.channels[row_channel] = prepared.channels.get(row_channel, 0) + 1
        prepared.enumerators[submission.enumerator] = prepared.enumerators.get(submission.enumerator, 0) + 1
    return prepared


def store(session: Session, config: Config, consultation: Consultation, prepared: Prepared, now: datetime,
          progress: Progress | None = None) -> Stored:
    """Store the checked submissions in one transaction, then ask once for a profile refresh."""
    stored = already = 0
    for done, checked in enumerate(prepared.valid, start=1):
        if progress:
            progress(done, len(prepared.valid))
        if _store_one(session, config, consultation, checked, now):
            stored += 1
        else:
            already += 1
    session.commit()
    if stored:
        log.info("imported %s %s responses into %s (%s already there)", stored, prepared.layout.name, consultation.slug, already)
        response_completed.send(consultation.id)  # once per file: the refresh counts them all
    return Stored(stored, already)


def _store_one(session: Session, config: Config, consultation: Consultation, checked: Checked, now: datetime) -> bool:
    """One submission as a participant and a finished conversation; False when it is already there (or erased)."""
    submission, state = checked.submission, checked.state
    name = f"{consultation.slug}:{submission.key}"
    participant_id = insert_ignore(session, Participant, {
        "pseudonym": identity.pseudonym(config.PSEUDONYM_KEY, SCHEME, name), "created_at": now}, ("pseudonym",))
    if participant_id is None:
        return False
    finished = submission.completed_at or now
    conversation_id = insert_ignore(session, Conversation, {
        "response_id": identity.address_hash(config.PSEUDONYM_KEY, SCHEME + "-response", name)[:RESPONSE_ID_CHARS],
        "participant_id": participant_id, "consultation_id": consultation.id, "channel": submission.channel,
        "language": state.language, "status": state.status, "current_question": None,
        "state": state.with_(last_activity=finished.timestamp()).to_json(),
        "started_at": min(submission.started_at or finished, finished), "last_activity_at": finished,
        "completed_at": finished,
    }, ("response_id",))
    if conversation_id is None:
        return False
    if submission.relay or submission.enumerator or submission.device:
        session.execute(OfflineCollection.__table__.insert(), {
            "conversation_id": conversation_id, "consultation_id": consultation.id, "relay": submission.relay,
            "enumerator": submission.enumerator, "device": submission.device})
    if checked.answers:
        session.execute(Answer.__table__.insert(), [
            {"conversation_id": conversation_id, "question_id": question_id, "value": value, "raw_text": raw[:2000],
             "valid": True, "answered_at": finished}
            for question_id, (value, raw) in checked.answers.items()])
    return True


def _same_flow(consultation: Consultation, submissions: list[Submission]) -> None:
    """Refuse a form made for another consultation, or for another version of this one's flow."""
    flow_id = flow_of(consultation).id
    for submission in submissions:
        if submission.flow_tag is None:
            continue
        tagged_id, _, sha = submission.flow_tag.partition(":")
        if tagged_id != flow_id:
            raise ImportRefused(f"row {submission.row}: this file was collected with the form of '{tagged_id}', "
                                f"not '{flow_id}': import it into that consultation")
        if sha != consultation.flow_sha256:
            raise ImportRefused(
                f"row {submission.row}: this file was collected with another version of '{flow_id}' (form {sha[:12]}, "
                f"consultation now {consultation.flow_sha256[:12]}): its questions may have changed. Collect with the "
                f"current form (python app.py flows export-xlsform {consultation.slug})")


def _channel(layout: Layout, submission: Submission, asked: str | None) -> tuple[str, list[Problem]]:
    """The row's channel: the import's, else the row's own (Palabre's layout), else the layout's."""
    channel = asked or submission.channel or layout.channel
    if channel not in OFFLINE_CHANNELS:
        return channel, [Problem(submission.row, "channel", f"'{channel}': imported responses are "
                                                           f"{' or '.join(OFFLINE_CHANNELS)} (or leave it empty)")]
    return channel, []

