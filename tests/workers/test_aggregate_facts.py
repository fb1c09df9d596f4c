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
from profiles.facts import FactMaker, decode_groups, facts_key

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


def computed_responses(db, now, count: int = 30) -> tuple[int, list[int], object, dict]:
    """Store `count` responses and compute their facts: the consultation, their ids, its flow, the facts."""
    cid = consultation_id(db)
    ids = add_responses(db, cid, count, now)
    with db.session() as session:
        flow = flow_of(session.get(Consultation, cid))
        update_facts(session, cid, flow, commit=True)
    return cid, ids, flow, stored_facts(db)


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
    cid, ids, flow, expected = computed_responses(db, now)
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


def facts_equal_the_python_facts(db, now, flow, count: int, seed: int) -> dict:
    """Store `count` responses and the EDGES, compute their facts with `flow`, check them; return them."""
    cid = consultation_id(db)
    add_responses(db, cid, count, now, seed=seed)
    add_edge_responses(db, cid, now)
    with db.session() as session:
        update_facts(session, cid, flow, commit=True)
    expected = {cid: (fact.groups, fact.deprived, fact.helpers) for cid, fact in python_facts(db, cid, flow).items()}
    assert stored_facts(db) == expected
    return expected


def test_negations_and_null_tests_on_missing_answers(loaded, db, now):
    # One of the shipped flow's conditions rewritten to negate comparisons with answers that may be
    # missing (true then: the comparison is false) and to test null explicitly.
    text = (LIBRARY / "access_barriers.yaml").read_text()
    text = text.replace('"\'nobody\' in helper"', '"not (visits_needed > 2) and age != 30"')
    text = text.replace('"wait in [\'quarter\', \'longer\']"', '"wait == null"')
    assert "age != 30" in text and "wait == null" in text
    flow, problems = check_flow_text(text)
    assert flow is not None, problems
    expected = facts_equal_the_python_facts(db, now, flow, 60, seed=5)
    for bit in (3, 5):  # the rewritten indicators hold for some respondents and not others
        assert {deprived >> bit & 1 for _, deprived, _ in expected.values()} == {0, 1}


def rewritten_flow(replacements: dict[str, str]):
    text = (LIBRARY / "access_barriers.yaml").read_text()
    for old, new in replacements.items():
        assert f'"{old}"' in text, old
        text = text.replace(f'"{old}"', f'"{new}"')
    flow, problems = check_flow_text(text)
    assert flow is not None, problems
    return flow


def test_conditions_on_one_or_several_questions_and_on_unanswered_questions(loaded, db, now, monkeypatch):
    # Conditions on one question are decided on the answer's own row and OR-ed per response; those
    # on several questions are read from the pivoted columns. Mixed here, with conditions that hold
    # when their question is unanswered (flipped by the answers' rows), two indicators on the same
    # question, lists and nulls (EDGES).
    monkeypatch.setattr(aggregation, "FACTS_BATCH", 40)
    flow = rewritten_flow({
        "travel_minutes > 60": "travel_minutes > 60 or visits_needed >= 3",
        "visit_cost in ['half_day', 'day']": "gender == 'female' and visit_cost != null",
        "visits_needed >= 3": "not (visits_needed >= 3)",
        "wait in ['quarter', 'longer']": "wait == null",
        "phone in ['none', 'basic', 'smartphone']": "wait != 'longer'",
        "'nobody' in helper": "not ('nobody' in helper) and helper",
    })
    expected = facts_equal_the_python_facts(db, now, flow, 90, seed=7)
    for bit in range(6):  # every rewritten indicator holds for some respondents and not others
        assert {deprived >> bit & 1 for _, deprived, _ in expected.values()} == {0, 1}, bit


def test_an_indicator_that_holds_when_unanswered_holds_for_a_response_without_any_answer(loaded, db, now):
    flow = rewritten_flow({"wait in ['quarter', 'longer']": "not (wait in ['quarter', 'longer'])"})
    cid = consultation_id(db)
    add_edge_responses(db, cid, now)  # the last edge response has no answer at all
    with db.session() as session:
        update_facts(session, cid, flow, commit=True)
    expected = {cid: (fact.groups, fact.deprived, fact.helpers) for cid, fact in python_facts(db, cid, flow).items()}
    assert stored_facts(db) == expected
    assert expected[max(expected)][1] == 1 << 3 and expected[max(expected)][2] is None


def test_stale_facts_of_another_key_are_replaced_and_current_ones_left_alone(loaded, db, now, monkeypatch):
    monkeypatch.setattr(aggregation, "FACTS_BATCH", 7)
    cid, ids, flow, expected = computed_responses(db, now)
    stale, kept = ids[::4], ids[1::4]  # beside facts missing altogether and current ones
    with db.session() as session:
        session.execute(delete(ResponseFact).where(ResponseFact.conversation_id.in_(ids[2::4])))
        session.execute(update(ResponseFact).where(ResponseFact.conversation_id.in_(stale)).values(facts_key="stale", deprived=-2))
        session.execute(update(ResponseFact).where(ResponseFact.conversation_id.in_(kept)).values(deprived=-1))
        session.commit()
    with db.session() as session:
        assert update_facts(session, cid, flow, commit=True) == len(stale) + len(ids[2::4])
    stored = stored_facts(db)
    assert {i: stored[i] for i in ids if i not in kept} == {i: expected[i] for i in ids if i not in kept}
    assert all(stored[i][1] == -1 for i in kept)


def test_facts_written_meanwhile_by_another_aggregation_are_overwritten_not_an_error(loaded, db, now, monkeypatch):
    # A batch with nothing stale is a plain INSERT on PostgreSQL; a concurrent aggregation of the
    # same consultation may have written some of its facts since they were found missing.
    monkeypatch.setattr(aggregation, "FACTS_BATCH", 10)
    monkeypatch.setattr(aggregation, "FACTS_CONNECTIONS", 1)
    cid = consultation_id(db)
    ids = add_responses(db, cid, 30, now)
    with db.session() as session:
        flow = flow_of(session.get(Consultation, cid))
    key = facts_key(flow)

    def meanwhile(done: int, total: int) -> None:
        if done == 10:  # after the first batch, the second's first fact appears (with a marker)
            with db.session() as other:
                other.add(ResponseFact(conversation_id=ids[10], consultation_id=cid, facts_key=key, groups="[]", deprived=-1))
                other.commit()

    with db.session() as session:
        assert update_facts(session, cid, flow, commit=True, progress=meanwhile) == 30
    expected = {cid: (fact.groups, fact.deprived, fact.helpers) for cid, fact in python_facts(db, cid, flow).items()}
    assert stored_facts(db) == expected
