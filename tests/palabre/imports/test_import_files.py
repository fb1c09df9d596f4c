"""Submission files from KoboToolbox, ODK Central and Palabre's own layout: read, checked by the engine, stored once."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from models import Answer, ChannelAddress, Consultation, Conversation, Participant
from palabre.consultations import get_consultation
from palabre.imports.rows import ImportRefused
from palabre.imports.store import prepare, store

from tests.conftest import DATA

KOBO_CSV = DATA / "kobo" / "access_barriers.csv"
KOBO_XLSX = DATA / "kobo" / "access_barriers.xlsx"
ODK_CSV = DATA / "odk_central" / "access_barriers.csv"


def run(app, db, slug, data, filename, now, channel=None):
    """Prepare then store a file as the CLI does; the report and what was stored."""
    with app.app_context(), db.session() as session:
        consultation = get_consultation(session, slug)
        prepared = prepare(consultation, data, filename, now, channel,
                           pseudonym_key=app.extensions["palabre.config"].PSEUDONYM_KEY)
        stored = store(session, app.extensions["palabre.config"], consultation, prepared, now) if not prepared.problems else None
    return prepared, stored


def stored_rows(db):
    with db.session() as session:
        return {c.response_id: (c.channel, c.status, c.language, {a.question_id: a.value for a in c.answers})
                for c in session.scalars(select(Conversation))}


@pytest.mark.parametrize("path", [KOBO_CSV, KOBO_XLSX], ids=["kobo-csv-semicolons", "kobo-xlsx"])
def test_a_kobo_export_is_stored_as_assisted_finished_conversations(app, db, consultation, now, path):
    prepared, stored = run(app, db, consultation, path.read_bytes(), path.name, now)
    assert prepared.layout.name == "KoboToolbox"
    assert prepared.problems == []
    assert (stored.stored, stored.already) == (5, 0)
    rows = list(stored_rows(db).values())
    assert sorted(status for _, status, _, _ in rows) == ["completed"] * 4 + ["declined"]
    assert {channel for channel, *_ in rows} == {"assisted"}
    answers = [a for *_, a in rows if a.get("district") == "sud"][0]
    # codes, numbers and a select_multiple read as the engine records them
    assert answers["helper"] == ["family", "association"] and answers["age"] == 45 and answers["travel_minutes"] == 30
    assert [a for *_, a in rows if a.get("district") == "est"][0]["lang"] == "en"
    assert {lang for _, _, lang, _ in rows} == {"fr", "en"}


def test_the_same_file_twice_stores_nothing_the_second_time(app, db, consultation, now):
    run(app, db, consultation, KOBO_CSV.read_bytes(), "a.csv", now)
    before = stored_rows(db)
    _, again = run(app, db, consultation, KOBO_CSV.read_bytes(), "a.csv", now)
    assert (again.stored, again.already) == (0, 5)
    assert stored_rows(db) == before


def test_an_odk_central_csv_keeps_rejected_submissions_out(app, db, consultation, now):
    prepared, stored = run(app, db, consultation, ODK_CSV.read_bytes(), ODK_CSV.name, now)
    assert prepared.layout.name == "ODK Central"
    assert [str(p) for p in prepared.skipped] == ["row 5: rejected by a reviewer in ODK Central: not imported"]
    assert stored.stored == 3
    with db.session() as session:
        times = sorted(session.scalars(select(Conversation.completed_at)))
    assert times[0].isoformat().startswith("2026-02-22T08:15:02")


def test_group_paths_and_one_column_per_option_are_read(app, db, consultation, now):
    """ODK Central joins groups with '-', and without the space-separated column only the 0/1 columns say who helps."""
    text = ODK_CSV.read_text(encoding="utf-8")
    header, *lines = list(csv.reader(io.StringIO(text)))
    renamed = [f"about_you-{name}" if name in ("district", "gender", "age") else name for name in header]
    drop = renamed.index("helper")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(renamed[:drop] + renamed[drop + 1:])
    for line in lines:
        writer.writerow(line[:drop] + line[drop + 1:])
    prepared, stored = run(app, db, consultation, out.getvalue().encode(), "odk.csv", now)
    assert prepared.problems == [] and stored.stored == 3
    helpers = sorted(tuple(a["helper"]) for *_, a in stored_rows(db).values())
    assert helpers == [("family", "agent"), ("family", "association"), ("nobody",)]


def test_palabre_layout_typed_on_paper_is_stored_as_paper(app, db, consultation, now):
    text = ("response_id,participant,channel,language,status,started_at,completed_at,lang,consent,district,gender,age,"
            "disability,travel_minutes,visit_cost,visits_needed,wait,phone,helper,contact_channel,comment\n"
            ",,,fr,completed,,,fr,oui,Nord,Une femme,70,beaucoup,1h30,day,2,longer,aucun,nobody,radio,\n")
    prepared, stored = run(app, db, consultation, text.encode(), "paper.csv", now)
    assert prepared.layout.name == "Palabre" and prepared.problems == []
    [(channel, status, _, answers)] = stored_rows(db).values()
    assert (channel, status) == ("paper", "completed")
    assert answers["district"] == "nord" and answers["travel_minutes"] == 90 and answers["disability"] == "a_lot"


def test_a_wrong_code_refuses_the_file_naming_row_and_column_and_stores_nothing(app, db, consultation, now):
    text = KOBO_CSV.read_text(encoding="utf-8").replace('"sud"', '"south_east"')
    prepared, stored = run(app, db, consultation, text.encode(), "kobo.csv", now)
    assert [str(p) for p in prepared.problems] == [
        "row 3, column district: unknown code 'south_east' (one of centre, nord, sud, est, ouest)"]
    assert stored is None and stored_rows(db) == {}


def test_the_engine_rules_hold_bounds_required_and_skip_logic(app, db, consultation, now):
    text = KOBO_CSV.read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace('"67"', '"7"')  # age below the flow's min of 10
    text[2] = text[2].replace('"sud"', '""')  # a required answer missing
    text[3] = text[3].replace('"no";""', '"no";"nord"')  # declined, yet answered the next question
    prepared, _ = run(app, db, consultation, "\n".join(text).encode(), "kobo.csv", now)
    messages = [str(p) for p in prepared.problems]
    assert messages[0] == "row 2, column age: 7 is outside 10..120"
    assert messages[1] == "row 3, column district: no answer, but the question is required"
    assert messages[2].startswith("row 4, column district: 'nord' answers a question that does not apply")
    assert stored_rows(db) == {}


def test_skip_invalid_stores_the_valid_rows(app, db, consultation, now):
    text = KOBO_CSV.read_text(encoding="utf-8").replace('"sud"', '"south_east"')
    with app.app_context(), db.session() as session:
        record = get_consultation(session, consultation)
        prepared = prepare(record, text.encode(), "kobo.csv", now, pseudonym_key="k")
        result = store(session, app.extensions["palabre.config"], record, prepared, now)
    assert prepared.invalid_rows == [3] and result.stored == 4


def test_a_file_for_another_flow_or_an_older_version_is_refused(app, db, consultation, now):
    other = KOBO_CSV.read_text(encoding="utf-8").replace('"access-barriers:', '"water-points:')
    with pytest.raises(ImportRefused, match="collected with the form of 'water-points', not 'access-barriers'"):
        run(app, db, consultation, other.encode(), "kobo.csv", now)
    with db.session() as session:
        record = session.scalar(select(Consultation))
        record.flow_yaml, record.flow_sha256 = record.flow_yaml + "\n# reworded\n", "0" * 64
        session.commit()
    with pytest.raises(ImportRefused, match="another version of 'access-barriers'.*export-xlsform"):
        run(app, db, consultation, KOBO_CSV.read_bytes(), "kobo.csv", now)
    assert stored_rows(db) == {}


def test_columns_of_another_form_are_refused(app, db, consultation, now):
    text = '"start";"end";"water_point";"_id";"_uuid";"_submission_time"\n"";"";"well";"1";"ab";"2026-01-01T10:00:00"\n'
    with pytest.raises(ImportRefused, match="no column for the questions lang, consent, district.*another consultation"):
        run(app, db, consultation, text.encode(), "kobo.csv", now)


def test_enumerator_and_device_ids_never_reach_the_database(app, db, consultation, now):
    run(app, db, consultation, KOBO_CSV.read_bytes(), "kobo.csv", now)
    run(app, db, consultation, ODK_CSV.read_bytes(), "odk.csv", now)
    dump = []
    with db.engine.connect() as connection:
        for table in ("participants", "channel_addresses", "conversations", "answers", "inbound_messages"):
            dump += [repr(tuple(row)) for row in connection.exec_driver_sql(f"SELECT * FROM {table}")]
    text = "\n".join(dump)
    for secret in ("awa.diallo", "kofi.mensah", "Mariam Ouedraogo", "Jean Kouassi", "Xq8PzL2mNc4TbR7v", "Ha3JkW9sUe1YdF6o"):
        assert secret not in text
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ChannelAddress)) == 0  # nobody to reply to
        assert session.scalar(select(func.count()).select_from(Participant)) == 8
        assert session.scalar(select(func.count()).select_from(Answer)) > 0


def test_a_kobo_hxl_row_under_the_header_is_not_a_submission(app, db, consultation, now):
    header, rest = KOBO_CSV.read_text(encoding="utf-8").split("\n", 1)
    hxl = ";".join('"#district"' if name == '"district"' else '""' for name in header.split(";"))
    prepared, stored = run(app, db, consultation, f"{header}\n{hxl}\n{rest}".encode(), "kobo.csv", now)
    assert prepared.problems == [] and prepared.rows == 5 and stored.stored == 5


def test_palabre_xlsx_typed_with_number_and_date_cells(app, db, consultation, now):
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "responses"
    sheet.append(["response_id", "participant", "channel", "language", "status", "started_at", "completed_at", "lang",
                  "consent", "district", "gender", "age", "disability", "travel_minutes", "visit_cost", "visits_needed",
                  "wait", "phone", "helper", "contact_channel", "comment"])
    sheet.append([None, None, "paper", "fr", "completed", datetime(2026, 2, 3, 9, 0), datetime(2026, 2, 3, 9, 20), "fr",
                  "yes", "ouest", "male", 52, "none", 45.0, "nothing", 1, "week", "basic", "family", "sms", "Plus de bus"])
    out = io.BytesIO()
    book.save(out)
    prepared, stored = run(app, db, consultation, out.getvalue(), "paper.xlsx", now)
    assert prepared.problems == [] and stored.stored == 1
    [(channel, _, _, answers)] = stored_rows(db).values()
    assert channel == "paper" and answers["age"] == 52 and answers["travel_minutes"] == 45 and answers["comment"] == "Plus de bus"
    with db.session() as session:
        conversation = session.scalar(select(Conversation))
    assert conversation.completed_at.isoformat().startswith("2026-02-03T09:20")


def test_a_participant_erased_since_is_not_brought_back_by_importing_the_file_again(app, db, consultation, now):
    from palabre.erasure import erase_participant

    run(app, db, consultation, KOBO_CSV.read_bytes(), "kobo.csv", now)
    with db.session() as session:
        pseudonym = session.scalars(select(Participant.pseudonym).order_by(Participant.id)).first()
        erase_participant(session, pseudonym, now)
        session.commit()
    _, again = run(app, db, consultation, KOBO_CSV.read_bytes(), "kobo.csv", now)
    assert (again.stored, again.already) == (0, 5)
    assert len(stored_rows(db)) == 4


def test_kobo_group_paths_with_slashes_are_read(app, db, consultation, now):
    """A form whose questions sit in a group: KoboToolbox writes `group/question` and `group/question/option`."""
    text = KOBO_CSV.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    for name in ("district", "helper", "helper/family", "helper/association", "helper/agent", "helper/nobody"):
        header = header.replace(f'"{name}"', f'"about_you/{name}"')
    prepared, stored = run(app, db, consultation, f"{header}\n{rest}".encode(), "kobo.csv", now)
    assert prepared.problems == [] and stored.stored == 5
    answers = [a for *_, a in stored_rows(db).values() if a.get("district") == "sud"][0]
    assert answers["helper"] == ["family", "association"]
