"""A FLOIP Flow Results package: the open format that Turn.io, RapidPro and U-Report tooling read.

Written against the Flow Results specification, version 1.0.0-rc1
(github.com/FLOIP/flow-results, specification.md; floip.gitbook.io/flow-results-specification):
a Data Package whose `datapackage.json` descriptor holds one resource, a JSON "row array" with
one row per answer and 7 columns (timestamp, row_id, contact_id, session_id, question_id,
response, response_metadata), and the `questions` of the flow in its schema.

    export.zip
    ├── datapackage.json    descriptor: profile, version, id, name, resources[0].schema.questions
    └── responses.json      [[timestamp, row_id, contact_id, session_id, question_id, response, metadata], ...]

Contacts appear by pseudonym only; a phone number or Telegram id is never written.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from datetime import datetime, timezone
from typing import IO, Any, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.model import Flow, Question
from models import Answer, Consultation, Conversation, Participant
from palabre.consultations import flow_of
from palabre.exports.xlsx import choice_labels

SPEC_VERSION = "1.0.0-rc1"
PROFILE = "flow-results-package"
DESCRIPTOR = "datapackage.json"
RESPONSES = "responses.json"
# The 7 columns every Flow Results resource declares, in this order (spec: "Resource").
FIELDS = (
    ("timestamp", "Timestamp", "datetime"), ("row_id", "Row ID", "string"), ("contact_id", "Contact ID", "string"),
    ("session_id", "Session ID", "string"), ("question_id", "Question ID", "string"),
    ("response", "Response", "any"), ("response_metadata", "Response Metadata", "object"),
)
# Palabre question type -> Flow Results question type (spec: "Question Types").
QUESTION_TYPES = {
    "choice": "select_one", "language": "select_one", "yes_no": "select_one",
    "multi_choice": "select_many", "number": "numeric", "text": "open",
}
# The spec wants ISO 639-3 language codes; flows use ISO 639-1 (two letters) where one exists.
ISO_639_3 = {
    "am": "amh", "ar": "ara", "bm": "bam", "de": "deu", "en": "eng", "es": "spa", "ff": "ful", "fr": "fra",
    "ha": "hau", "ig": "ibo", "it": "ita", "ln": "lin", "mg": "mlg", "nl": "nld", "pt": "por", "rw": "kin",
    "sn": "sna", "so": "som", "sw": "swa", "tw": "twi", "wo": "wol", "xh": "xho", "yo": "yor", "zu": "zul",
}


def write_floip(session: Session, consultation: Consultation, out: str | IO[bytes]) -> int:
    """Write the package as a zip to a path or binary file; return the number of responses (answers)."""
    flow = flow_of(consultation)
    package = descriptor(consultation, flow, last_answer_at(session, consultation))
    # The members are dated by the package's `modified`, not the clock: exporting unchanged
    # answers again gives the same bytes.
    stamp = datetime.fromisoformat(package["modified"]).timetuple()[:6]
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry(DESCRIPTOR, stamp), json.dumps(package, ensure_ascii=False, indent=2))
        # Streamed row by row: a consultation's answers need not fit in memory.
        with archive.open(_entry(RESPONSES, stamp), "w", force_zip64=True) as data:
            data.write(b"[")
            for row in response_rows(session, consultation, flow):
                data.write((",\n " if count else "\n ").encode() + json.dumps(row, ensure_ascii=False).encode())
                count += 1
            data.write(b"\n]\n")
    return count


def descriptor(consultation: Consultation, flow: Flow, last_answer: datetime | None) -> dict[str, Any]:
    """The package descriptor (`datapackage.json`)."""
    created = consultation.created_at
    # The package changes when an answer arrives, so its last answer dates this version; never
    # before `created` ("If this is the original version of the package, created and modified
    # will be the same").
    modified = max(created, last_answer) if last_answer else created
    schema: dict[str, Any] = {
        "fields": [{"name": name, "title": title, "type": kind} for name, title, kind in FIELDS],
        "questions": {q.id: question_schema(q, flow) for q in flow.questions},
    }
    language = iso_639_3(flow.default_language)
    if language:
        schema["language"] = language  # the language of every `label`: the flow's default one
    return {
        "profile": PROFILE,
        "flow_results_specification_version": SPEC_VERSION,
        # The spec's API envelope (api-specification.md) spells the key this way, and Flow Results
        # servers such as praekeltfoundation/flow-results read it: both keys, one version.
        "flow-results-specification": SPEC_VERSION,
        "id": package_id(consultation),
        "name": flow.id,  # a flow id is already lower-case letters, digits and '-'
        "title": flow.title[flow.default_language],
        # The schema cannot change under the same `id` (see package_id): only answers are added.
        "created": _timestamp(created),
        "modified": _timestamp(modified),
        "resources": [{
            "profile": "data-resource",
            "name": f"{flow.id}-responses",
            "path": RESPONSES,
            "mediatype": "application/json",
            "encoding": "utf-8",
            # Table Dialect's `header` defaults to true, for a row array too: without this, generic
            # Data Package readers (frictionless) take the first answer for the column names. The
            # spec's row array has no header row; the columns are `schema.fields`.
            "dialect": {"header": False},
            "schema": schema,
        }],
    }


def last_answer_at(session: Session, consultation: Consultation) -> datetime | None:
    """When the consultation's latest valid answer came, or None before any."""
    return session.scalar(
        select(func.max(Answer.answered_at))
        .join(Conversation, Conversation.id == Answer.conversation_id)
        .where(Conversation.consultation_id == consultation.id, Answer.valid)
    )


def question_schema(question: Question, flow: Flow) -> dict[str, Any]:
    """One entry of `schema.questions`: type, label (default language) and type options."""
    kind = QUESTION_TYPES[question.type]
    options: dict[str, Any] = {}
    if kind in ("select_one", "select_many"):
        labels = choice_labels(question, flow)
        # Responses are codes, and the spec wants each response to be one of `choices`;
        # the labels go alongside, in every language (localisation is outside the spec).
        options["choices"] = list(labels)
        options["choice_labels"] = labels
    elif kind == "numeric" and question.min is not None and question.max is not None:
        options["range"] = [_plain(question.min), _plain(question.max)]
    return {
        "type": kind,
        "label": question.prompt[flow.default_language],
        "type_options": options,
        "label_translations": dict(question.prompt),
    }


def response_rows(session: Session, consultation: Consultation, flow: Flow) -> Iterator[list[Any]]:
    """Every valid answer of a consultation as a Flow Results row, conversation by conversation."""
    questions = {q.id: q for q in flow.questions}
    answers = session.execute(
        select(Answer.question_id, Answer.value, Answer.answered_at, Conversation.response_id,
               Conversation.language, Participant.pseudonym)
        .join(Conversation, Conversation.id == Answer.conversation_id)
        .join(Participant, Participant.id == Conversation.participant_id)
        .where(Conversation.consultation_id == consultation.id, Answer.valid)
        .order_by(Conversation.id, Answer.answered_at, Answer.id)
        .execution_options(yield_per=5000)
    )
    for question_id, value, answered_at, response_id, language, pseudonym in answers:
        question = questions.get(question_id)
        if question is None or value is None:  # a question since removed from the flow, or no usable answer
            continue
        yield [
            _timestamp(answered_at),
            f"{response_id}-{question_id}",  # unique: a conversation answers a question at most once
            pseudonym,
            response_id,
            question_id,
            response_value(value, question),
            response_metadata(question, language),
        ]


def response_value(value: Any, question: Question) -> Any:
    """The answer as the spec wants it: a code, a list of codes, a number or the text itself."""
    if question.type == "multi_choice":
        return [str(v) for v in (value if isinstance(value, list) else [value])]
    if question.type == "number":
        return _plain(value)
    # Kept verbatim: JSON is not a spreadsheet, so the CSV's formula guard does not apply here.
    return str(value)


def response_metadata(question: Question, language: str) -> dict[str, Any]:
    """Per-row metadata: an `open` response must name its actual type and type options."""
    if QUESTION_TYPES[question.type] != "open":
        return {}
    metadata: dict[str, Any] = {"type": "text", "type_options": {}}
    code = iso_639_3(language)
    if code:
        metadata["language"] = code
    return metadata


def package_id(consultation: Consultation) -> str:
    """The package's version 4 UUID (the spec requires one), derived from the consultation and its flow text."""
    # The same flow always exports under the same id and a changed flow gets a new one: the spec's
    # "Option 1" for results versioning (no aggregation of different flow versions under one id).
    digest = hashlib.sha256(f"palabre:{consultation.slug}:{consultation.flow_sha256}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def iso_639_3(language: str) -> str | None:
    """The ISO 639-3 code of a flow language, or None when unknown."""
    return language if len(language) == 3 else ISO_639_3.get(language)


def _timestamp(moment: datetime) -> str:
    # RFC 3339 with an explicit offset: the spec asks for +00:00 rather than Z, and full precision.
    return moment.astimezone(timezone.utc).isoformat()


def _plain(number: Any) -> Any:
    return int(number) if isinstance(number, float) and number.is_integer() else number


def _entry(name: str, stamp: tuple[int, ...]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
