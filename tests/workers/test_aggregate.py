"""`aggregate`: the profile recomputed from the database, stored whole or not at all."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import delete, func, select, update

from make_responses import add_responses, consultation_id
from models import Consultation, Conversation, Participant, ProfileSnapshot, ResponseFact
from palabre import aggregate as aggregation
from palabre.aggregate import aggregate, latest_snapshot
from palabre.exports.table import write_csv
from palabre.inbound import Outcome, after_commit
from palabre.consultations import get_consultation

TARGETS = "variable,value,population\ngender,female,5100\ngender,male,4700\ngender,other,200\n"


def snapshots(db) -> list[ProfileSnapshot]:
    with db.session() as session:
        return list(session.scalars(select(ProfileSnapshot).order_by(ProfileSnapshot.id)))


def facts(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(ResponseFact))


def test_the_snapshot_is_the_offline_profile_of_the_export(loaded, db, settings, runner, now):
    cid = consultation_id(db)
    add_responses(db, cid, 120, now)
    add_responses(db, cid, 5, now, seed=2, status="declined")
    result = runner.invoke(args=["aggregate", "access-barriers"])
    assert result.exit_code == 0, result.output
    assert "access-barriers: snapshot 1 stored, 120 completed responses" in result.output
    [snapshot] = snapshots(db)
    assert snapshot.responses == 120 and facts(db) == 120
    with db.session() as session:
        out = io.StringIO()
        write_csv(session, get_consultation(session, "access-barriers"), out)
    from flows.loader import load_flow
    from palabre.config import ROOT
    from profiles.from_csv import profile_from_csv

    offline = profile_from_csv(load_flow(ROOT / "flows" / "library" / "access_barriers.yaml"), io.StringIO(out.getvalue()), 10)
    stored = json.loads(json.dumps(snapshot.data))
    for key in ("overall", "groups", "robustness", "representativeness", "findings"):
        assert stored[key] == offline[key], key
    assert stored["funnel"]["overall"]["completed"] == 120 and stored["funnel"]["overall"]["declined"] == 5
    assert set(stored) == {"overall", "groups", "robustness", "representativeness", "funnel", "findings"}


def test_a_failed_aggregation_leaves_the_previous_snapshot_whole(loaded, db, settings, now, monkeypatch):
    cid = consultation_id(db)
    add_responses(db, cid, 30, now)
    first = aggregate(db, settings, cid, now)
    add_responses(db, cid, 20, now, seed=5)

    def broken(*args, **kwargs):
        raise RuntimeError("the worker died mid-way")

    with monkeypatch.context() as patched:
        patched.setattr(aggregation, "build_profile", broken)
        with pytest.raises(RuntimeError):
            aggregate(db, settings, cid, now)
    with db.session() as session:
        assert latest_snapshot(session, cid).id == first.id
        assert session.scalar(select(func.count()).select_from(ProfileSnapshot)) == 1
    assert facts(db) == 50  # derived data, kept: the retry does not compute them again
    assert aggregate(db, settings, cid, now).responses == 50


def test_facts_of_another_profile_definition_are_recomputed(loaded, db, settings, now):
    cid = consultation_id(db)
    add_responses(db, cid, 40, now)
    before = aggregate(db, settings, cid, now).data
    with db.session() as session:
        session.execute(update(ResponseFact).values(facts_key="stale", deprived=0, groups="[]"))
        session.commit()
    after = aggregate(db, settings, cid, now)
    assert after.data == before
    with db.session() as session:
        assert session.scalar(select(func.count()).where(ResponseFact.facts_key == "stale")) == 0


def test_a_response_deleted_in_any_way_takes_its_facts_with_it(loaded, db, settings, runner, now):
    # response_facts has no foreign keys (a rebuild writes a million rows): a trigger on
    # conversations (migration 0009) deletes the facts of every conversation deleted.
    cid = consultation_id(db)
    erased, merged, *others = add_responses(db, cid, 12, now)
    assert aggregate(db, settings, cid, now).responses == 12 and facts(db) == 12
    with db.session() as session:
        who = session.scalar(select(Participant.pseudonym).join(Conversation).where(Conversation.id == erased))
    assert runner.invoke(args=["participants", "erase", who]).exit_code == 0
    with db.session() as session:
        session.execute(delete(Conversation).where(Conversation.id == merged))  # as a merge deletes a duplicate
        session.commit()
    with db.session() as session:
        assert set(session.scalars(select(ResponseFact.conversation_id))) == set(others)
    assert aggregate(db, settings, cid, now).responses == 10, "the profile no longer counts them"

    with db.session() as session:
        session.execute(delete(Consultation).where(Consultation.id == cid))  # by hand: the app never does
        session.commit()
    assert facts(db) == 0


def test_only_the_latest_snapshots_are_kept(loaded, db, settings, now, monkeypatch):
    monkeypatch.setattr(aggregation, "KEEP_SNAPSHOTS", 3)
    cid = consultation_id(db)
    add_responses(db, cid, 12, now)
    made = [aggregate(db, settings, cid, now).id for _ in range(5)]
    assert [s.id for s in snapshots(db)] == made[-3:]


def test_targets_are_checked_stored_and_used(loaded, db, runner, now, tmp_path):
    cid = consultation_id(db)
    add_responses(db, cid, 150, now)
    bad = tmp_path / "bad.csv"
    bad.write_text("variable,value,population\ngender,femme,10\n")
    result = runner.invoke(args=["profiles", "targets", "access-barriers", str(bad)])
    assert result.exit_code == 1 and "line 2: gender: unknown value 'femme' (one of female, male, other)" in result.output
    good = tmp_path / "targets.csv"
    good.write_text(TARGETS)
    result = runner.invoke(args=["profiles", "targets", "access-barriers", str(good)])
    assert result.exit_code == 0, result.output
    assert "access-barriers: targets stored for gender (population 10,000)" in result.output
    snapshot = snapshots(db)[-1]  # computed at once, as the targets changed
    weighting = snapshot.data["representativeness"]["weighting"]
    assert weighting["applied"] and weighting["converged"]
    assert snapshot.data["overall"]["population"] == pytest.approx(10_000, rel=1e-6)
    assert "raw" in snapshot.data["overall"]
    shares = {row["value"]: row["population_share"] for row in snapshot.data["representativeness"]["variables"]["gender"]}
    assert shares == {"female": 0.51, "male": 0.47, "other": 0.02}


def test_inline_refreshes_are_debounced(loaded, db, now):
    cid = consultation_id(db)
    add_responses(db, cid, 15, now)
    with loaded.app_context():
        for _ in range(3):
            after_commit(Outcome(completed_consultation_id=cid))
    [snapshot] = snapshots(db)
    assert snapshot.responses == 15


def test_a_completed_chat_refreshes_the_profile(runner, db):
    answers = ["1", "oui", "nord", "femme", "67", "2", "1h30", "4", "3", "4", "2", "1 2", "1", "Un bureau mobile"]
    result = runner.invoke(args=["chat"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    [snapshot] = snapshots(db)
    assert snapshot.responses == 1
    assert snapshot.data["overall"] == {"n": None, "suppressed": True, "suppression": "small", "reliable": False,
                                        "cutoff": 0.33, "min_cell": 10, "weighted": False}
    assert "Un bureau mobile" not in json.dumps(snapshot.data, ensure_ascii=False)  # free text never enters a profile


def test_census_targets_may_weight_on_questions_that_are_not_groups(loaded, db, settings, runner, now, tmp_path):
    # Households without a phone (the coverage question) and the preferred contact channel: neither is a profile group.
    cid = consultation_id(db)
    add_responses(db, cid, 150, now)
    assert runner.invoke(args=["aggregate", "access-barriers"]).exit_code == 0
    targets = tmp_path / "targets.csv"
    targets.write_text("variable,value,population\n"
                       "phone,none,2000\nphone,basic,4500\nphone,smartphone,2000\nphone,smartphone_internet,1500\n"
                       "contact_channel,sms,3500\ncontact_channel,call,2000\ncontact_channel,telegram,1500\n"
                       "contact_channel,office,2000\ncontact_channel,radio,1000\n")
    result = runner.invoke(args=["profiles", "targets", "access-barriers", str(targets)])
    assert result.exit_code == 0, result.output
    # Few of 150 random respondents have no phone against a fifth of the city: untrimmed, the margins are met.
    assert runner.invoke(args=["aggregate", "access-barriers", "--trim-ratio", "0"]).exit_code == 0
    latest = snapshots(db)[-1].data
    weighting = latest["representativeness"]["weighting"]
    assert weighting["applied"] and weighting["variables"] == ["phone", "contact_channel"], weighting
    assert weighting["max_margin_error"] <= 0.001
    coverage = latest["representativeness"]["coverage"]
    assert coverage["population_share"] == 0.2
    assert coverage["sensitivity"]["source"] == "target" and coverage["sensitivity"]["missing_share"] == 0
    assert all(w["code"] != "unreached" for w in latest["representativeness"]["warnings"])
    # The offline profile of the export, with the same targets, says the same.
    with db.session() as session:
        out = io.StringIO()
        write_csv(session, get_consultation(session, "access-barriers"), out)
    from flows.loader import load_flow
    from palabre.config import ROOT
    from profiles.from_csv import profile_from_csv
    from profiles.targets import parse_targets

    flow = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")
    offline = profile_from_csv(flow, io.StringIO(out.getvalue()), 10, parse_targets(targets.read_text(), flow), trim_ratio=None)
    stored = json.loads(json.dumps(latest))
    for key in ("overall", "groups", "robustness", "findings"):
        assert stored[key] == offline[key], key
