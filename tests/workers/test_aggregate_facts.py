"""Facts written by the database (one INSERT ... SELECT per batch) are the facts Python computes from the same answers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from make_responses import add_responses, consultation_id
from models import Answer, Consultation, Conversation, Participant, ResponseFact
from palabre import aggregate as aggregation
from palabre.aggregate import update_facts
from palabre.consultations import flow_of
from flows.loader import check_flow_text
from palabre.config import ROOT
from profiles.facts import FactMaker, decode_groups

LIBRARY = ROOT / "flows" / "library"

# Answers at the edges: band limits, an answer recorded as invalid (null), a single helper
# code instead of a list, an empty list, a number where a code is expected, unanswered questions.
EDGES = [
    {"age": 18, "travel_minutes": 60, "visits_needed": 3, "helper": ["nobody"]},
    {"age": 17.5, "travel_minutes": 61, "visits_needed": 2.99, "helper": "nobody"},
    {"age": 29, "travel_minutes": None, "visits_needed": None, "helper": []},
    {"age": 30, "phone": 3, "visit_cost": None, "helper": ["family", "nobody"]},
    {"age": 60, "wait": "longer", "gender": None},
    {"age": None},
    {},
]


def add_edge_responses(db, consultation: int, now) -> None:
    with db.session() as session:
        for i, answers in enumerate(EDGES):
            person = Participant(pseudonym=f"edge{i}", created_at=now)
            session.add(person)
            session.flush()
            conversation = Conversation(
                response_id=f"edge{i}", participant_id=person.id, consultation_id=consultation, channel="sms",
                language="fr" if i % 2 else "en", status="completed", state={"answers": {}}, started_at=now - timedelta(minutes=5),
                last_activity_at=now, completed_at=now,
            )
            session.add(conversation)
            session.flush()
            for question_id, value in answers.items():
                session.add(Answer(conversation_id=conversation.id, question_id=question_id, value=value,
                                   raw_text=str(value), valid=value is not None, answered_at=now))
        session.commit()


def python_facts(db, consultation: int, flow) -> dict:
    with db.session() as session:
        make_fact = FactMaker(flow)
        answers = {cid: {"channel": channel, "language": language} for cid, channel, language in session.execute(
            select(Conversation.id, Conversation.channel, Conversation.language)
            .where(Conversation.consultation_id == consultation, Conversation.status == "completed"))}
        for cid, question_id, value in session.execute(select(Answer.conversation_id, Answer.question_id, Answer.value)):
            if cid in answers:
                answers[cid][question_id] = value
        return {cid: make_fact(values) for cid, values in answers.items()}


def stored_facts(db) -> dict:
    with db.session() as session:
        return {cid: (decode_groups(groups), deprived, helpers) for cid, groups, deprived, helpers in session.execute(
            select(ResponseFact.conversation_id, ResponseFact.groups, ResponseFact.deprived, ResponseFact.helpers))}


def test_database_facts_equal_the_python_facts(loaded, db, now, monkeypatch):
    monkeypatch.setattr(aggregation, "FACTS_BATCH", 50)  # several batches, each an id range
    cid = consultation_id(db)
    add_responses(db, cid, 150, now)
    add_responses(db, cid, 10, now, seed=3, status="declined")
    add_edge_responses(db, cid, now)
    seen = []
    with db.session() as session:
        flow = flow_of(session.get(Consultation, cid))
        assert update_facts(session, cid, flow, commit=True, progress=lambda done, total: seen.append((done, total))) == 157
    expected = {cid: (fact.groups, fact.deprived, fact.helpers) for cid, fact in python_facts(db, cid, flow).items()}
    assert stored_facts(db) == expected
    assert seen[-1] == (157, 157) and len(seen) == 4
    # The edge rows reach every band and both kinds of helper answer.
    groups = {values[2] for values, _, _ in expected.values()}
    assert {"<18", "18-29", "30-44", "60+", None} <= groups
    with db.session() as session:
        assert update_facts(session, cid, flow) == 0  # nothing left to compute


def test_only_responses_without_a_current_fact_are_computed_and_others_in_their_range_are_left_alone(loaded, db, now, monkeypatch):
    monkeypatch.setattr(aggregation, "FACTS_BATCH", 7)
    cid = consultation_id(db)
    ids = add_responses(db, cid, 30, now)
    with db.session() as session:
        flow = flow_of(session.get(Consultation, cid))
        update_facts(session, cid, flow, commit=True)
    expected = stored_facts(db)
    gone, kept = ids[1::3], ids[2::3]  # interleaved: every batch's id range also holds current facts
    with db.session() as session:
        session.execute(delete(ResponseFact).where(ResponseFact.conversation_id.in_(gone)))
        # A marker on current facts: recomputing them would erase it.
        session.execute(update(ResponseFact).where(ResponseFact.conversation_id.in_(kept)).values(deprived=-1))
        session.commit()
    with db.session() as session:
        assert update_facts(session, cid, flow, commit=True) == len(gone)
    stored = stored_facts(db)
    assert {i: stored[i] for i in gone} == {i: expected[i] for i in gone}
    assert all(stored[i][1] == -1 for i in kept)
    assert len(stored) == 30


def test_negations_and_null_tests_on_missing_answers(loaded, db, now):
    # One of the shipped flow's conditions rewritten to negate comparisons with answers that may be
    # missing (true then: the comparison is false) and to test null explicitly.
    text = (LIBRARY / "access_barriers.yaml").read_text()
    text = text.replace('"\'nobody\' in helper"', '"not (visits_needed > 2) and age != 30"')
    text = text.replace('"wait in [\'quarter\', \'longer\']"', '"wait == null"')
    assert "age != 30" in text and "wait == null" in text
    flow, problems = check_flow_text(text)
    assert flow is not None, problems
    cid = consultation_id(db)
    add_responses(db, cid, 60, now, seed=5)
    add_edge_responses(db, cid, now)
    with db.session() as session:
        update_facts(session, cid, flow, commit=True)
    expected = {cid: (fact.groups, fact.deprived, fact.helpers) for cid, fact in python_facts(db, cid, flow).items()}
    assert stored_facts(db) == expected
    for bit in (3, 5):  # the rewritten indicators hold for some respondents and not others
        assert {deprived >> bit & 1 for _, deprived, _ in expected.values()} == {0, 1}
