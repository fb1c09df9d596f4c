"""Who collected imported questionnaires: enumerators and devices by pseudonym only, relays by name for the profile."""

from __future__ import annotations

import csv
import io
import uuid

from sqlalchemy import select

from models import Conversation, OfflineCollection
from palabre import identity
from palabre.aggregate import aggregate
from palabre.consultations import get_consultation
from tests.palabre.imports.test_import_files import KOBO_CSV, ODK_CSV, run

KEY = "test-pseudonym-key"  # the test settings' PSEUDONYM_KEY


def collected(db) -> list[tuple[str, str | None, str | None, str | None]]:
    """(district, relay, enumerator, device) of every stored response, in district order."""
    with db.session() as session:
        rows = session.execute(
            select(Conversation.id, OfflineCollection.relay, OfflineCollection.enumerator, OfflineCollection.device)
            .outerjoin(OfflineCollection, OfflineCollection.conversation_id == Conversation.id)).all()
        districts = {c.id: next((a.value for a in c.answers if a.question_id == "district"), None)
                     for c in session.scalars(select(Conversation))}
    return sorted(((districts[i] or "", *rest) for i, *rest in rows), key=lambda row: (row[0], row[2] or ""))


def kobo_rows(copies: int, relay_of=lambda n, relay: relay) -> bytes:
    """The Kobo sample's rows repeated with new submission ids, each copy's relay as relay_of(copy, relay) says."""
    header, *rows = list(csv.reader(io.StringIO(KOBO_CSV.read_text(encoding="utf-8")), delimiter=";"))
    at, relay_at = header.index("_uuid"), header.index("relay")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for n in range(copies):
        for i, row in enumerate(rows):
            row = list(row)
            row[at] = str(uuid.UUID(int=n * 10 + i))
            row[relay_at] = relay_of(n, row[relay_at])
            writer.writerow(row)
    return out.getvalue().encode()


def test_enumerators_and_devices_are_stored_as_keyed_pseudonyms(app, db, consultation, now):
    kobo, _ = run(app, db, consultation, KOBO_CSV.read_bytes(), "kobo.csv", now)
    run(app, db, consultation, ODK_CSV.read_bytes(), "odk.csv", now)
    awa, kofi = (identity.pseudonym(KEY, "enumerator", f"KoboToolbox:{name}") for name in ("awa.diallo", "kofi.mensah"))
    mariam, jean = (identity.pseudonym(KEY, "enumerator", f"ODK Central:{number}") for number in ("12", "13"))
    tablet = identity.pseudonym(KEY, "device", "ODK Central:collect:Xq8PzL2mNc4TbR7v")
    assert kobo.by_enumerator == [(awa, 3), (kofi, 2)]
    rows = collected(db)
    assert [(r[2], r[3]) for r in rows].count((awa, None)) == 3  # KoboToolbox's sample records no device
    assert [(r[2], r[3]) for r in rows].count((kofi, None)) == 2
    assert [(r[2], r[3]) for r in rows].count((mariam, tablet)) == 2  # SubmitterID 12, on one tablet
    assert [r[2] for r in rows].count(jean) == 1  # 13's other submission was rejected: not stored
    assert len(rows) == 8


def test_the_relay_is_stored_with_its_spaces_tidied_and_a_blank_one_is_none(app, db, consultation, now):
    text = KOBO_CSV.read_text(encoding="utf-8").replace('"Relais de quartier Sud"', '"  Relais de\n quartier   Sud "')
    run(app, db, consultation, text.encode(), "kobo.csv", now)
    relays = {(district, relay) for district, relay, *_ in collected(db)}
    assert relays == {("nord", "Association Femmes du Nord"), ("sud", "Relais de quartier Sud"),
                      ("centre", "Association Femmes du Nord"), ("est", None), ("", None)}


def test_the_profile_lists_relays_named_by_at_least_min_cell_respondents(app, db, consultation, now):
    # 5 copies: 'Association Femmes du Nord' on 10 completed questionnaires (spelt two ways), the Sud relay on 5.
    data = kobo_rows(5, lambda n, relay: relay.upper() if n % 2 and relay.startswith("Association") else relay)
    prepared, stored = run(app, db, consultation, data, "kobo.csv", now)
    assert stored.stored == 25
    with app.app_context(), db.session() as session:
        consultation_id = get_consultation(session, consultation).id
    snapshot = aggregate(db, app.extensions["palabre.config"], consultation_id, now)
    representativeness = snapshot.data["representativeness"]
    assert representativeness["relays"] == {
        "respondents": 15, "suppressed": False, "others": 5,
        "relays": [{"name": "Association Femmes du Nord", "n": 10, "share": round(10 / 15, 6)}]}
    assert "Relais de quartier Sud" not in repr(snapshot.data)  # 5 respondents: counted, never named
    assert set(representativeness) >= {"weighting", "variables", "helpers", "offline_share"}  # the keys stay


def test_a_relay_column_typed_on_paper_is_stored_and_paper_names_no_enumerator(app, db, consultation, now):
    text = ("response_id,participant,channel,language,status,started_at,completed_at,lang,consent,district,gender,age,"
            "disability,travel_minutes,visit_cost,visits_needed,wait,phone,helper,contact_channel,comment,relay\n"
            ",,,fr,completed,,,fr,oui,Nord,Une femme,70,beaucoup,1h30,day,2,longer,aucun,nobody,radio,,Relais Nord \n")
    prepared, stored = run(app, db, consultation, text.encode(), "paper.csv", now)
    assert prepared.problems == [] and stored.stored == 1 and prepared.by_enumerator == [(None, 1)]
    assert collected(db) == [("nord", "Relais Nord", None, None)]


def test_a_kobo_file_of_the_exported_form_names_its_tablet_and_a_username_when_no_account_sent_it(
        app, db, consultation, now):
    # The exported form records start, end, deviceid and username first; a submission sent without
    # logging in to KoboToolbox has no _submitted_by.
    header, *rows = list(csv.reader(io.StringIO(KOBO_CSV.read_text(encoding="utf-8")), delimiter=";"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL)
    writer.writerow(["start", "end", "deviceid", "username", *header])
    for row in rows:
        row[header.index("_submitted_by")] = ""
        writer.writerow(["2026-02-20T09:30:00.000+00:00", "2026-02-20T09:40:00.000+00:00",
                         "collect:Zt5RwQ8yBn2KcV3m", "fatou.sarr", *row])
    prepared, stored = run(app, db, consultation, out.getvalue().encode(), "kobo.csv", now)
    assert prepared.problems == [] and stored.stored == 5
    fatou = identity.pseudonym(KEY, "enumerator", "KoboToolbox:fatou.sarr")
    tablet = identity.pseudonym(KEY, "device", "KoboToolbox:collect:Zt5RwQ8yBn2KcV3m")
    assert {(enumerator, device) for _, _, enumerator, device in collected(db)} == {(fatou, tablet)}
    with db.session() as session:
        assert {c.started_at.isoformat() for c in session.scalars(select(Conversation))} == {"2026-02-20T09:30:00+00:00"}
    with db.engine.connect() as connection:
        dump = repr(connection.exec_driver_sql("SELECT * FROM offline_collections").all())
    assert "fatou" not in dump and "Zt5RwQ8yBn2KcV3m" not in dump and fatou in dump
