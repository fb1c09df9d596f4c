"""`python app.py responses import`: enumerators' and paper questionnaires into a consultation, its export and its profile."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from sqlalchemy import func, select

from flows.loader import load_flow
from models import Conversation, ProfileSnapshot
from palabre.consultations import upsert_consultation
from palabre.signals import response_completed
from tests.conftest import DATA

FORM = DATA / "forms" / "access_barriers.yaml"
KOBO_CSV = DATA / "kobo" / "access_barriers.csv"
ODK_CSV = DATA / "odk_central" / "access_barriers.csv"


@pytest.fixture
def consultation(app, db):
    with db.session() as session:
        upsert_consultation(session, load_flow(FORM), FORM.read_text(encoding="utf-8"))
        session.commit()
    return "access-barriers"


def conversations(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Conversation))


def many_kobo_rows(tmp_path, copies: int):
    """The Kobo sample's completed rows repeated with new submission ids: enough respondents for a profile."""
    text = KOBO_CSV.read_text(encoding="utf-8")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    at = header.index("_uuid")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for n in range(copies):
        for row in rows:
            writer.writerow([*row[:at], str(uuid.UUID(int=n * 10 + rows.index(row))), *row[at + 1:]])
    path = tmp_path / "many.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_import_kobo_then_the_export_shows_assisted_responses(runner, db, consultation):
    result = runner.invoke(args=["responses", "import", consultation, str(KOBO_CSV)])
    assert result.exit_code == 0, result.output
    assert "KoboToolbox layout, 5 rows: 5 valid" in result.output
    assert "stored 5 new responses into access-barriers; 0 were already imported (valid rows by channel: assisted 5)." in result.output
    again = runner.invoke(args=["responses", "import", consultation, str(KOBO_CSV)])
    assert "stored 0 new responses" in again.output and "5 were already imported" in again.output
    assert conversations(db) == 5
    export = runner.invoke(args=["export", consultation, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(export.output)))
    assert [r["channel"] for r in rows] == ["assisted"] * 5
    assert sorted(r["status"] for r in rows) == ["completed"] * 4 + ["declined"]


def test_a_paper_channel_can_be_asked_for(runner, db, consultation):
    result = runner.invoke(args=["responses", "import", consultation, str(ODK_CSV), "--channel", "paper"])
    assert result.exit_code == 0, result.output
    assert "stored 3 new responses" in result.output and "by channel: paper 3)" in result.output
    assert "row 5: rejected by a reviewer in ODK Central: not imported" in result.output


def test_a_wrong_code_is_refused_by_row_and_column_and_nothing_is_stored(runner, db, consultation, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(KOBO_CSV.read_text(encoding="utf-8").replace('"quarter_day"', '"a_little"'), encoding="utf-8")
    result = runner.invoke(args=["responses", "import", consultation, str(bad)])
    assert result.exit_code == 1
    assert "row 3, column visit_cost: unknown code 'a_little'" in result.output
    assert "nothing stored: 1 rows have problems" in result.output
    assert conversations(db) == 0
    skipped = runner.invoke(args=["responses", "import", consultation, str(bad), "--skip-invalid"])
    assert skipped.exit_code == 0, skipped.output
    assert "row 3, column visit_cost" in skipped.output and "stored 4 new responses" in skipped.output
    assert conversations(db) == 4


def test_another_flows_file_is_refused_with_a_clear_message(runner, db, consultation, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text(KOBO_CSV.read_text(encoding="utf-8").replace("access-barriers:", "water-points:"), encoding="utf-8")
    result = runner.invoke(args=["responses", "import", consultation, str(other)])
    assert result.exit_code == 1
    assert "collected with the form of 'water-points', not 'access-barriers'" in result.output
    assert conversations(db) == 0


def test_one_profile_refresh_per_import_and_the_profile_counts_the_assisted(runner, db, consultation, tmp_path):
    refreshes = []
    response_completed.connect(refreshes.append, weak=False)
    try:
        result = runner.invoke(args=["responses", "import", consultation, str(many_kobo_rows(tmp_path, 3))])
    finally:
        response_completed.disconnect(refreshes.append)
    assert result.exit_code == 0, result.output
    assert len(refreshes) == 1  # once per file, not once per row
    with db.session() as session:
        snapshot = session.scalars(select(ProfileSnapshot).order_by(ProfileSnapshot.id.desc())).first()
    assert snapshot.responses == 12  # the 4 completed rows, 3 times; the declined ones count for no profile
    channels = {entry["value"]: entry["n"] for entry in snapshot.data["groups"]["channel"]}
    assert channels["assisted"] == 12
    assert snapshot.data["representativeness"]["offline_share"] == 1.0
    assert snapshot.data["funnel"]["channel"][0]["value"] == "assisted"


def test_the_report_counts_rows_per_enumerator_by_pseudonym_never_by_name(runner, db, consultation):
    from palabre import identity

    result = runner.invoke(args=["responses", "import", consultation, str(ODK_CSV)])
    assert result.exit_code == 0, result.output
    mariam, jean = (identity.pseudonym("test-pseudonym-key", "enumerator", f"ODK Central:{n}")[:8] for n in ("12", "13"))
    assert f"valid rows by enumerator (pseudonym): {mariam} 2, {jean} 1." in result.output
    for secret in ("Mariam Ouedraogo", "Jean Kouassi", "collect:Xq8PzL2mNc4TbR7v"):
        assert secret not in result.output
