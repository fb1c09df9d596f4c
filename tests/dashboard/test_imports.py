"""The consultation's import page: an admin uploads questionnaires, sees the report, and only then stores them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from flows.loader import load_flow
from models import Conversation
from palabre.consultations import upsert_consultation
from tests.conftest import DATA
from tests.dashboard.conftest import csrf_from

FORM = DATA / "forms" / "access_barriers.yaml"
KOBO_CSV = DATA / "kobo" / "access_barriers.csv"
PAGE = "/dashboard/access-barriers/import/"


@pytest.fixture
def form_version(accounts, db):
    """The consultation runs the form version the sample files were collected with."""
    with db.session() as session:
        upsert_consultation(session, load_flow(FORM), FORM.read_text(encoding="utf-8"))
        session.commit()


def stored(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Conversation))


def upload(client, data: bytes, name: str = "kobo.csv", lang: str = "en", **fields):
    token = csrf_from(client.get(f"{PAGE}?lang={lang}").data)
    return client.post(f"{PAGE}?lang={lang}", data={"csrf_token": token, "submissions": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data")


def confirm(client, page: bytes, **fields):
    html = page.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    return client.post(f"{PAGE}confirm", data={"csrf_token": csrf_from(page), "token": token, "channel": "", **fields})


def test_the_consultation_page_links_to_the_import_for_admins_only(admin, analyst, form_version):
    assert PAGE.encode() in admin.get("/dashboard/access-barriers?lang=en").data
    assert PAGE.encode() not in analyst.get("/dashboard/access-barriers?lang=en").data
    assert analyst.get(PAGE).status_code == 403


def test_the_report_comes_first_and_confirming_stores(admin, db, form_version, settings):
    page = upload(admin, KOBO_CSV.read_bytes())
    assert page.status_code == 200
    assert b"Written by KoboToolbox." in page.data and b"Store 5 responses" in page.data
    assert stored(db) == 0  # nothing before the official confirms
    [kept] = (Path(settings.INSTANCE_DIR) / "imports").iterdir()
    assert kept.stat().st_mode & 0o777 == 0o600  # it names enumerators: owner only, until confirmed
    done = confirm(admin, page.data)
    assert done.status_code == 302
    assert stored(db) == 5
    assert list((Path(settings.INSTANCE_DIR) / "imports").iterdir()) == []
    follow = admin.get(done.headers["Location"] + "?lang=en")
    assert b"5 responses stored (0 were already imported)" in follow.data


def test_a_file_with_a_wrong_code_shows_row_and_column_in_french_and_stores_nothing(admin, db, form_version):
    bad = KOBO_CSV.read_text(encoding="utf-8").replace('"quarter_day"', '"a_little"').encode()
    page = upload(admin, bad, lang="fr")
    html = page.data.decode()
    assert "<td class=\"num\">3</td><td><code>visit_cost</code></td><td>code inconnu &#39;a_little&#39;" in html
    refused = confirm(admin, page.data)
    assert refused.status_code == 422 and stored(db) == 0
    assert confirm(admin, page.data, skip_invalid="1").status_code == 302
    assert stored(db) == 4


def test_another_format_a_huge_file_or_a_missing_csrf_token_are_refused(admin, db, form_version):
    assert b"Only .csv and .xlsx files" in upload(admin, b"hello", name="notes.txt").data
    huge = upload(admin, b"a" * (2 * 1024 * 1024))
    assert huge.status_code == 413 and b"larger than 1 MB" in huge.data
    no_token = admin.post(PAGE, data={"submissions": (io.BytesIO(KOBO_CSV.read_bytes()), "k.csv")},
                          content_type="multipart/form-data")
    assert no_token.status_code == 400
    other = upload(admin, KOBO_CSV.read_text(encoding="utf-8").replace("access-barriers:", "water-points:").encode())
    assert other.status_code == 422 and b"form of &#39;water-points&#39;" in other.data
    assert stored(db) == 0


SECRETS = ("awa.diallo", "kofi.mensah", "Mariam Ouedraogo", "Jean Kouassi", "Xq8PzL2mNc4TbR7v", "Ha3JkW9sUe1YdF6o")


def test_enumerators_names_and_devices_never_reach_the_database_exports_logs_or_pages(
        admin, client, db, form_version, token, caplog):
    import logging
    import zipfile

    from openpyxl import load_workbook

    from models import Base
    from palabre import identity
    from palabre.imports.collectors import short_pseudonym
    from tests.palabre.imports.test_collectors import kobo_rows
    from tests.palabre.imports.test_import_files import ODK_CSV

    caplog.set_level(logging.DEBUG)
    report = upload(admin, kobo_rows(5))
    awa = short_pseudonym(identity.pseudonym("test-pseudonym-key", "enumerator", "KoboToolbox:awa.diallo"))
    assert f"<td><code>{awa}</code></td><td class=\"num\">15</td>" in report.data.decode()  # this file's rows
    assert confirm(admin, report.data).status_code == 302
    assert confirm(admin, upload(admin, ODK_CSV.read_bytes(), name="odk.csv").data).status_code == 302
    assert stored(db) == 28

    seen = {"logs": caplog.text}
    with db.engine.connect() as connection:
        seen["database"] = "\n".join(repr(tuple(row)) for table in Base.metadata.sorted_tables
                                     for row in connection.execute(table.select()))
    seen["csv"] = admin.get("/dashboard/access-barriers/export.csv").data.decode()
    book = load_workbook(io.BytesIO(admin.get("/dashboard/access-barriers/export.xlsx").data), read_only=True)
    seen["xlsx"] = repr([list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets])
    with zipfile.ZipFile(io.BytesIO(admin.get("/dashboard/access-barriers/export.floip").data)) as package:
        seen["floip"] = "".join(package.read(name).decode() for name in package.namelist())
    imports = admin.get(f"{PAGE}?lang=en").data.decode()
    staff = admin.get("/dashboard/access-barriers?lang=fr").data.decode()
    seen.update(imports=imports, staff=staff, public=client.get("/results/access-barriers?lang=en").data.decode(),
                api=client.get("/api/v1/consultations/access-barriers/profile",
                               headers={"Authorization": f"Bearer {token}"}).data.decode())
    for where, text in seen.items():
        for secret in SECRETS:
            assert secret not in text, (secret, where)
    assert f"<td><code>{awa}</code></td><td class=\"num\">15</td>" in imports  # stored so far, per enumerator
    # The relay 10 respondents named is shown to staff (the profile of the first file); the public page names none.
    assert "<td>Association Femmes du Nord</td><td class=\"num\">10</td>" in staff
    assert "<td>Autres relais</td><td class=\"num\">5</td>" in staff and "Relais de quartier Sud" not in staff
    assert "Association Femmes du Nord" not in seen["public"]
