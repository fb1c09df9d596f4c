"""The XLSX workbook and the FLOIP Flow Results package: same answers as the CSV, no personal identifier."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import zipfile
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from flows.loader import check_flow_text
from models import Answer, Consultation, Participant
from palabre.consultations import get_consultation, upsert_consultation
from palabre.exports.table import BASE_COLUMNS, write_csv
from palabre.exports.floip import FIELDS, SPEC_VERSION, package_id, write_floip
from palabre.exports.xlsx import write_xlsx
from palabre.identity import TEL, TELEGRAM
from palabre.inbound import Inbound, handle_inbound

PHONE = "+447700900461"
TELEGRAM_ID = "5550001234567"
FORMULA = '=HYPERLINK("http://example.org/x","clic")'
# A complete French conversation: a typo (nrod), a duration (1h30), three unreadable counts
# (recorded as invalid, so absent from FLOIP), two helpers and a comment that looks like a formula.
FRENCH = ["AVIS", "1", "oui", "nrod", "femme", "34", "aucune", "1h30", "2",
          "beaucoup", "beaucoup", "beaucoup", "2", "1", "1 3", "1", FORMULA]
# A Telegram conversation left after the district.
PARTIAL = ["/start", "2", "yes", "south"]
# The Flow Results spec's question types (1.0.0-rc1, "Question Types").
SPEC_TYPES = {"select_one", "select_many", "numeric", "open", "text", "image", "video", "audio",
              "geo_point", "datetime", "date", "time"}


@pytest.fixture
def answered(loaded, db, settings, now):
    """Two citizens' conversations, sent through the shared inbound path."""
    clock = now
    for texts, channel, scheme, address in ((FRENCH, "sms", TEL, PHONE), (PARTIAL, "telegram", TELEGRAM, TELEGRAM_ID)):
        for text in texts:
            clock += timedelta(seconds=45)
            with db.session() as session:
                handle_inbound(session, settings, Inbound(channel=channel, scheme=scheme, address=address, text=text), clock)
                session.commit()
    return clock


def csv_rows(db) -> list[dict[str, str]]:
    with db.session() as session:
        out = io.StringIO()
        write_csv(session, get_consultation(session, "access-barriers"), out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def export_xlsx(db, slug="access-barriers") -> bytes:
    out = io.BytesIO()
    with db.session() as session:
        write_xlsx(session, get_consultation(session, slug), out)
    return out.getvalue()


def export_floip(db) -> tuple[bytes, dict, list]:
    out = io.BytesIO()
    with db.session() as session:
        write_floip(session, get_consultation(session, "access-barriers"), out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert sorted(archive.namelist()) == ["datapackage.json", "responses.json"]
        return out.getvalue(), json.loads(archive.read("datapackage.json")), json.loads(archive.read("responses.json"))


def set_created_at(db, moment: datetime) -> datetime:
    """Date the consultation's creation (the flow library was loaded at the wall clock's time)."""
    with db.session() as session:
        session.scalar(select(Consultation).where(Consultation.slug == "access-barriers")).created_at = moment
        session.commit()
    return moment


def members(blob: bytes) -> list[bytes]:
    """The zip itself and every file inside it, uncompressed."""
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return [blob, *(archive.read(name) for name in archive.namelist())]


def test_the_xlsx_responses_sheet_matches_the_csv_cell_by_cell(answered, db):
    expected = csv_rows(db)
    book = load_workbook(io.BytesIO(export_xlsx(db)))
    assert book.sheetnames == ["responses", "questions"]
    sheet = book["responses"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(expected[0])
    assert list(rows[0]) == header and header[: len(BASE_COLUMNS)] == list(BASE_COLUMNS)
    assert len(rows) == 1 + len(expected) == 3
    for got, want in zip(rows[1:], expected):
        for name, value in zip(header, got):
            if isinstance(value, datetime):  # a date cell, in UTC (see the date cells' test)
                value = value.strftime("%Y-%m-%dT%H:%M:%SZ")
            assert ("" if value is None else str(value)) == want[name], name
    french = dict(zip(header, rows[1]))
    assert french["age"] == 34 and isinstance(french["age"], int)
    assert french["travel_minutes"] == 90 and french["visits_needed"] is None
    assert french["helper"] == "family agent" and french["participant"] == expected[0]["participant"]
    assert all(cell.font.b for cell in sheet[1]) and sheet.freeze_panes == "A2"
    widths = {name: sheet.column_dimensions[cell.column_letter].width for name, cell in zip(header, sheet[1])}
    assert widths["comment"] >= 40 and 10 <= widths["district"] <= 40 and widths["participant"] >= 24


def test_formula_looking_citizen_text_stays_literal_text_in_the_xlsx(answered, db):
    blob = export_xlsx(db)
    sheet = load_workbook(io.BytesIO(blob))["responses"]
    header = [c.value for c in sheet[1]]
    comment = sheet.cell(row=2, column=header.index("comment") + 1)
    assert comment.data_type == "s" and comment.value == "'" + FORMULA == csv_rows(db)[0]["comment"]
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in xml or b"<f " in xml for xml in sheets)


def test_xlsx_text_is_never_a_formula_even_without_the_csv_guard(app, db):
    flow_text = ("id: formula-check\ntitle: {en: Check}\nlanguages: [en]\nend: {en: Thanks}\nquestions:\n"
                 "  - id: pick\n    type: choice\n    prompt: {en: '=SUM(1,2)'}\n"
                 "    choices:\n      - {code: a, label: {en: '@cmd'}}\n      - {code: b, label: {en: '+1+1'}}\n")
    flow, problems = check_flow_text(flow_text)
    assert flow is not None, problems
    with db.session() as session:
        upsert_consultation(session, flow, flow_text)
        session.commit()
    sheet = load_workbook(io.BytesIO(export_xlsx(db, "formula-check")))["questions"]
    rows = [[c for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(r[0].value, r[2].value, r[3].value) for r in rows] == [("pick", None, "=SUM(1,2)"), ("pick", "a", "@cmd"), ("pick", "b", "+1+1")]
    assert all(r[3].data_type == "s" for r in rows)


def test_the_xlsx_questions_sheet_has_prompts_and_labels_in_every_language(answered, db):
    sheet = load_workbook(io.BytesIO(export_xlsx(db)))["questions"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("question_id", "type", "code", "fr", "en", "details")
    by_key = {(r[0], r[2]): r for r in rows[1:]}
    assert by_key[("district", None)][3:5] == ("Dans quel quartier vivez-vous ?", "Which district do you live in?")
    assert by_key[("district", "nord")][1:5] == ("choice", "nord", "Nord", "North")
    assert by_key[("consent", "yes")][3:5] == ("Oui", "Yes")
    assert by_key[("age", None)][5] == "min 10, max 120, whole number"
    assert {r[0] for r in rows[1:]} == {"lang", "consent", "district", "gender", "age", "disability", "travel_minutes",
                                        "visit_cost", "visits_needed", "wait", "phone", "helper", "contact_channel", "comment"}


def test_the_floip_descriptor_follows_the_flow_results_spec(answered, db, now):
    created = set_created_at(db, now - timedelta(days=2))
    _, package, rows = export_floip(db)
    assert package["profile"] == "flow-results-package"
    assert package["flow_results_specification_version"] == SPEC_VERSION == "1.0.0-rc1"
    assert uuid.UUID(package["id"]).version == 4
    assert package["name"] == "access-barriers" and re.fullmatch(r"[a-z0-9._-]+", package["name"])
    assert package["title"] == "Accès aux services publics"
    for key in ("created", "modified"):
        assert package[key].endswith("+00:00")
    # created: when the consultation was; modified: its last answer in the package.
    assert datetime.fromisoformat(package["created"]) == created
    assert datetime.fromisoformat(package["modified"]) == max(datetime.fromisoformat(r[0]) for r in rows) == answered
    [resource] = package["resources"]
    assert resource["path"] == "responses.json" and "data" not in resource
    assert (resource["mediatype"], resource["encoding"]) == ("application/json", "utf-8")
    # The row array has no header row: Table Dialect's `header` defaults to true, which makes
    # Frictionless tools read the first answer as the column names.
    assert resource["dialect"] == {"header": False}
    assert rows[0][4] == "lang" and rows[0] != [f[0] for f in FIELDS]
    schema = resource["schema"]
    assert [f["name"] for f in schema["fields"]] == ["timestamp", "row_id", "contact_id", "session_id",
                                                    "question_id", "response", "response_metadata"]
    assert schema["language"] == "fra"
    questions = schema["questions"]
    for question in questions.values():
        assert question["type"] in SPEC_TYPES and question["label"] and isinstance(question["type_options"], dict)
    types = {qid: q["type"] for qid, q in questions.items()}
    assert types == {"lang": "select_one", "consent": "select_one", "district": "select_one", "gender": "select_one",
                     "age": "numeric", "disability": "select_one", "travel_minutes": "numeric", "visit_cost": "select_one",
                     "visits_needed": "numeric", "wait": "select_one", "phone": "select_one", "helper": "select_many",
                     "contact_channel": "select_one", "comment": "open"}
    assert questions["district"]["type_options"]["choices"] == ["centre", "nord", "sud", "est", "ouest"]
    assert questions["district"]["type_options"]["choice_labels"]["nord"] == {"fr": "Nord", "en": "North"}
    assert questions["district"]["label"] == "Dans quel quartier vivez-vous ?"
    assert questions["district"]["label_translations"]["en"] == "Which district do you live in?"
    assert questions["consent"]["type_options"]["choices"] == ["yes", "no"]
    assert questions["lang"]["type_options"]["choices"] == ["fr", "en"]
    assert questions["helper"]["type_options"]["choices"] == ["family", "association", "agent", "nobody"]
    assert questions["age"]["type_options"] == {"range": [10, 120]}
    assert questions["comment"]["type_options"] == {}


def test_floip_has_one_row_per_valid_answer_with_seven_columns(answered, db, now):
    _, package, rows = export_floip(db)
    questions = package["resources"][0]["schema"]["questions"]
    with db.session() as session:
        stored = session.execute(select(Answer.question_id, Answer.valid)).all()
    assert len(rows) == sum(1 for _, valid in stored if valid) == 16
    assert ("visits_needed", False) in stored and not any(r[4] == "visits_needed" for r in rows)
    assert all(len(row) == len(FIELDS) == 7 for row in rows)
    assert len({str(row[1]) for row in rows}) == len(rows), "row ids must be unique in the package"
    for timestamp, _, _, _, question_id, response, metadata in rows:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00", timestamp)
        kind = questions[question_id]["type"]
        if kind == "select_one":
            assert response in questions[question_id]["type_options"]["choices"] and metadata == {}
        elif kind == "select_many":
            assert set(response) <= set(questions[question_id]["type_options"]["choices"])
    table = csv_rows(db)
    by_session = {r["response_id"]: r for r in table}
    for row in rows:
        assert row[2] == by_session[row[3]]["participant"], "contact_id is the participant pseudonym"
    french = {row[4]: row for row in rows if row[3] == table[0]["response_id"]}
    assert french["helper"][5] == ["family", "agent"]
    assert french["age"][5] == 34 and french["travel_minutes"][5] == 90
    assert french["comment"][5] == FORMULA, "JSON is not a spreadsheet: the text is kept verbatim"
    assert french["comment"][6] == {"type": "text", "type_options": {}, "language": "fra"}
    assert [r[4] for r in rows if r[3] == table[1]["response_id"]] == ["lang", "consent", "district"]


def test_no_phone_number_or_telegram_id_in_any_exported_byte(answered, db, now):
    with db.session() as session:
        pseudonyms = session.scalars(select(Participant.pseudonym)).all()
    blobs = [*members(export_xlsx(db)), *members(export_floip(db)[0])]
    for blob in blobs:
        for secret in (PHONE, PHONE.lstrip("+"), PHONE[3:], TELEGRAM_ID):
            assert secret.encode() not in blob
    assert all(any(p.encode() in blob for blob in blobs) for p in pseudonyms)


def test_the_package_id_is_stable_for_a_flow_and_changes_with_it(answered, db):
    first = export_floip(db)[1]["id"]
    assert export_floip(db)[1]["id"] == first
    with db.session() as session:
        consultation = session.scalar(select(Consultation))
        consultation.flow_sha256 = "0" * 64
        assert package_id(consultation) != first
        session.rollback()


def test_exporting_twice_gives_the_same_package_until_an_answer_arrives(answered, db, settings, now):
    created = set_created_at(db, now - timedelta(days=2))
    blob, package, rows = export_floip(db)
    again, package_again, _ = export_floip(db)
    assert again == blob, "nothing changed: the same bytes, datapackage.json included"
    later = answered + timedelta(hours=3)
    with db.session() as session:
        handle_inbound(session, settings, Inbound(channel="telegram", scheme=TELEGRAM, address=TELEGRAM_ID, text="1"), later)
        session.commit()
    _, moved, more = export_floip(db)
    assert len(more) == len(rows) + 1 and (more[-1][4], more[-1][0]) == ("gender", later.isoformat())
    assert datetime.fromisoformat(moved["modified"]) == later
    assert datetime.fromisoformat(moved["created"]) == created
    assert (moved["id"], moved["created"]) == (package["id"], package["created"])


def test_an_empty_consultation_exports_valid_empty_files(loaded, db, now):
    assert export_floip(db)[2] == []
    rows = list(load_workbook(io.BytesIO(export_xlsx(db)))["responses"].iter_rows(values_only=True))
    assert len(rows) == 1 and rows[0][0] == "response_id"


def test_the_cli_writes_binary_formats_only_to_a_file(answered, runner, tmp_path):
    for fmt in ("xlsx", "floip"):
        refused = runner.invoke(args=["export", "access-barriers", "--format", fmt])
        assert refused.exit_code == 2 and "binary file" in refused.output and "-o" in refused.output
    xlsx, package = tmp_path / "out.xlsx", tmp_path / "out.zip"
    done = runner.invoke(args=["export", "access-barriers", "--format", "xlsx", "-o", str(xlsx)])
    assert done.exit_code == 0 and "2 rows written" in done.output
    assert load_workbook(xlsx).sheetnames == ["responses", "questions"]
    done = runner.invoke(args=["export", "access-barriers", "--format", "floip", "-o", str(package)])
    assert done.exit_code == 0 and "16 answers written" in done.output
    assert zipfile.ZipFile(package).namelist() == ["datapackage.json", "responses.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx", "out.zip"], "no temporary file left behind"


def test_a_failed_export_leaves_no_file_and_keeps_the_previous_one(loaded, runner, tmp_path, monkeypatch):
    out = tmp_path / "out.xlsx"
    result = runner.invoke(args=["export", "no-such-thing", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code != 0 and "no consultation 'no-such-thing'" in result.output
    assert list(tmp_path.iterdir()) == []

    def half_written(session, consultation, handle):
        handle.write(b"PK half a file")
        raise RuntimeError("database went away")

    out.write_bytes(b"yesterday's export")
    monkeypatch.setattr("cli.export.write_xlsx", half_written)
    failed = runner.invoke(args=["export", "access-barriers", "--format", "xlsx", "-o", str(out)])
    assert isinstance(failed.exception, RuntimeError)
    assert list(tmp_path.iterdir()) == [out] and out.read_bytes() == b"yesterday's export"
    missing = runner.invoke(args=["export", "access-barriers", "--format", "floip", "-o", str(tmp_path / "no" / "x.zip")])
    assert missing.exit_code == 1 and "cannot write" in missing.output


ACCENTED = "Trop éloigné, ça coûte cher à Thiès — même à pied"


def test_the_excel_csv_starts_with_a_bom_and_keeps_accents(loaded, db, settings, now, runner, tmp_path):
    clock = now
    for text in [*FRENCH[:-1], ACCENTED]:
        clock += timedelta(seconds=45)
        with db.session() as session:
            handle_inbound(session, settings, Inbound(channel="sms", scheme=TEL, address=PHONE, text=text), clock)
            session.commit()
    out = tmp_path / "excel.csv"
    done = runner.invoke(args=["export", "access-barriers", "--format", "csv", "--excel", "-o", str(out)])
    assert done.exit_code == 0, done.output
    blob = out.read_bytes()
    # Excel for Windows reads a CSV without a byte order mark in the ANSI code page (cp1252 in
    # France): "Ã©loignÃ©". The UTF-8 BOM makes it read UTF-8.
    assert blob.startswith(b"\xef\xbb\xbf") and blob.count(b"\xef\xbb\xbf") == 1
    assert b"\r\n" in blob and blob.count(b"\n") == blob.count(b"\r\n") == 2
    [row] = list(csv.DictReader(io.StringIO(blob.decode("utf-8-sig"), newline="")))
    assert row["comment"] == ACCENTED and "response_id" in row
    plain = runner.invoke(args=["export", "access-barriers", "--format", "csv"])
    assert not plain.stdout_bytes.startswith(b"\xef\xbb\xbf") and ACCENTED.encode() in plain.stdout_bytes
    printed = runner.invoke(args=["export", "access-barriers", "--format", "csv", "--excel"])
    assert printed.exit_code == 0 and printed.stdout_bytes == blob
    refused = runner.invoke(args=["export", "access-barriers", "--format", "xlsx", "--excel", "-o", str(tmp_path / "x.xlsx")])
    assert refused.exit_code == 2 and "--excel" in refused.output


def test_xlsx_times_are_date_cells_in_utc(answered, db, now):
    sheet = load_workbook(io.BytesIO(export_xlsx(db)))["responses"]
    header = [c.value for c in sheet[1]]
    table = csv_rows(db)
    french = {name: cell for name, cell in zip(header, sheet[2])}
    partial = {name: cell for name, cell in zip(header, sheet[3])}
    for name in ("started_at", "completed_at"):
        cell = french[name]
        assert cell.is_date and isinstance(cell.value, datetime) and cell.value.tzinfo is None
        # Excel has no time zones: the cell holds UTC, and its format says so.
        assert cell.value == datetime.strptime(table[0][name], "%Y-%m-%dT%H:%M:%SZ")
        assert "UTC" in cell.number_format
    assert french["started_at"].value == (now + timedelta(seconds=45)).replace(tzinfo=None)
    assert partial["started_at"].is_date and partial["completed_at"].value is None
