"""Consultations in the database: loading flow files into them and finding the one a message is for."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from flows.answers import normalize
from flows.errors import FlowInvalid
from flows.loader import check_flow_file, check_flow_text
from flows.model import Flow
from models import CLOSED, OPEN, Consultation, utcnow
from palabre.prepared import Prepared


class UnknownConsultation(LookupError):
    """No consultation has this slug."""


@dataclass(frozen=True)
class Loaded:
    slug: str
    created: bool
    changed: bool


def flow_of(consultation: Consultation) -> Flow:
    """The parsed flow a consultation runs (cached by the text's hash)."""
    return _parse_cached(consultation.flow_sha256, consultation.flow_yaml)


def flow_by_hash(connection: Connection, consultation_id: int, sha256: str) -> Flow:
    """The parsed flow of a consultation known by its text's hash: its text is read only the first time."""
    flow = _PARSED.get(sha256)
    if flow is None:
        text = connection.execute(_FLOW_TEXT, {"id": consultation_id}).scalar_one()
        flow = _parse_cached(sha256, text)
    return flow


_FLOW_TEXT = select(Consultation.flow_yaml).where(Consultation.id == bindparam("id"))
_PARSED: dict[str, Flow] = {}  # by the text's hash, which names one text for good


@lru_cache(maxsize=64)
def _parse_cached(sha256: str, text: str) -> Flow:
    flow, problems = check_flow_text(text)
    if flow is None:
        raise FlowInvalid(problems, f"stored flow {sha256[:8]}")
    if len(_PARSED) < 64:
        _PARSED[sha256] = flow
    return flow


def load_library(session: Session, folder: str | Path, open_them: bool = True) -> list[Loaded]:
    """Load every flow file of a folder into consultations, opening new ones; raise on an invalid file."""
    results = []
    for path in sorted(Path(folder).glob("*.y*ml")):
        flow, problems = check_flow_file(path)
        if flow is None:
            raise FlowInvalid(problems, str(path))
        results.append(upsert_consultation(session, flow, path.read_text(encoding="utf-8"), open_it=open_them))
    return results


def upsert_consultation(session: Session, flow: Flow, text: str, open_it: bool = True) -> Loaded:
    """Create or update the consultation of a flow; conversations under way keep running."""
    sha = hashlib.sha256(text.encode()).hexdigest()
    consultation = session.scalar(select(Consultation).where(Consultation.slug == flow.id))
    created = consultation is None
    if consultation is None:
        consultation = Consultation(slug=flow.id, status="draft")
        session.add(consultation)
    changed = consultation.flow_sha256 != sha
    consultation.title = dict(flow.title)
    consultation.keywords = list(flow.keywords)
    consultation.flow_yaml = text
    consultation.flow_sha256 = sha
    if open_it and created:
        consultation.status = OPEN
        consultation.opened_at = utcnow()
    session.flush()
    return Loaded(flow.id, created, changed and not created)


def get_consultation(session: Session, slug: str) -> Consultation:
    """The consultation with this slug, or UnknownConsultation."""
    consultation = session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise UnknownConsultation(f"no consultation '{slug}'")
    return consultation


def set_status(session: Session, consultation: Consultation, status: str) -> None:
    """Open or close a consultation."""
    consultation.status = status
    if status == OPEN:
        consultation.opened_at = utcnow()
        consultation.closed_at = None
    elif status == CLOSED:
        consultation.closed_at = utcnow()


def open_consultations(session: Session) -> list[Consultation]:
    """Open consultations, the most recently opened first."""
    query = select(Consultation).where(Consultation.status == OPEN).order_by(Consultation.opened_at.desc(), Consultation.id.desc())
    return list(session.scalars(query))


def consultation_for_message(session: Session, text: str) -> tuple[Consultation | None, bool]:
    """The open consultation a first message asks for, and whether it named it by keyword.

    A message containing an open consultation's keyword starts that one; otherwise the most
    recently opened consultation starts (a citizen who writes "hello" still gets the poll).
    """
    candidates = open_consultations(session)
    chosen, named = _chosen([consultation.keywords for consultation in candidates], text)
    return (candidates[chosen] if chosen is not None else None), named


def open_for_message(connection: Connection, text: str) -> tuple[int, str] | None:
    """`consultation_for_message` without ORM objects, for the inbound path: the (id, flow hash) a first message starts."""
    # Read at every first message, not cached: a consultation closed a moment ago must take no new response.
    candidates = _OPEN_KEYWORDS.execute(connection, {})
    chosen, _named = _chosen([keywords for _id, keywords, _sha256 in candidates], text)
    return (candidates[chosen][0], candidates[chosen][2]) if chosen is not None else None


def open_by_slug(connection: Connection, slug: str) -> tuple[int, str] | None:
    """The (id, flow hash) of the consultation with this slug if it is open; UnknownConsultation if there is none."""
    rows = _BY_SLUG.execute(connection, {"slug": slug})
    if not rows:
        raise UnknownConsultation(f"no consultation '{slug}'")
    id_, status, sha256 = rows[0]
    return (id_, sha256) if status == OPEN else None


def _chosen(keyword_lists: list[list[str]], text: str) -> tuple[int | None, bool]:
    """Which open consultation (most recently opened first) a first message starts, and whether it named its keyword."""
    words = set(normalize(text).replace(",", " ").split())
    for index, keywords in enumerate(keyword_lists):
        if words & _normalized(tuple(keywords)):
            return index, True
    return (0 if keyword_lists else None), False


@lru_cache(maxsize=256)
def _normalized(keywords: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize(k) for k in keywords)


_table = Consultation.__table__
_OPEN_KEYWORDS = Prepared(select(_table.c.id, _table.c.keywords, _table.c.flow_sha256)
                          .where(_table.c.status == OPEN).order_by(_table.c.opened_at.desc(), _table.c.id.desc()))
_BY_SLUG = Prepared(select(_table.c.id, _table.c.status, _table.c.flow_sha256).where(_table.c.slug == bindparam("slug")))
