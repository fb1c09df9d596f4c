"""The import page in a real headless Chromium, in English and in French: upload, read the report, confirm."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from flows.loader import load_flow
from palabre.accounts import create_user
from palabre.consultations import upsert_consultation
from tests.browser.test_pages_in_chromium import page, shot  # noqa: F401  (fixture)
from tests.conftest import DATA

FORM = DATA / "forms" / "access_barriers.yaml"
KOBO_CSV = DATA / "kobo" / "access_barriers.csv"


@pytest.fixture
def server(loaded, db):
    """The app on a free local port, its consultation on the samples' form version, and an admin."""
    with db.session() as session:
        upsert_consultation(session, load_flow(FORM), FORM.read_text(encoding="utf-8"))
        create_user(session, "official@city.example", "a long enough password", "admin")
        session.commit()
    http = make_server("127.0.0.1", 0, loaded, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()


def log_in(page, server, lang):
    page.goto(f"{server}/login?lang={lang}")
    page.fill("#email", "official@city.example")
    page.fill("#password", "a long enough password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/dashboard/")


def test_an_admin_imports_a_kobo_file_in_english(server, page, tmp_path):  # noqa: F811
    log_in(page, server, "en")
    page.goto(f"{server}/dashboard/access-barriers?lang=en")
    page.click("text=Import questionnaires")
    page.set_input_files("#submissions", str(KOBO_CSV))
    page.click("text=Check the file")
    page.wait_for_selector("text=Store 5 responses")
    assert "Written by KoboToolbox." in page.content()
    shot(page, tmp_path, "import-report-en")
    page.click("text=Store 5 responses")
    page.wait_for_selector("text=5 responses stored")
    assert "awa.diallo" not in page.content()


def test_a_wrong_code_is_reported_in_french_before_anything_is_stored(server, page, tmp_path):  # noqa: F811
    bad = tmp_path / "kobo.csv"
    bad.write_text(KOBO_CSV.read_text(encoding="utf-8").replace('"quarter_day"', '"a_little"'), encoding="utf-8")
    log_in(page, server, "fr")
    page.goto(f"{server}/dashboard/access-barriers/import/?lang=fr")
    assert page.locator("h1").inner_text() == "Importer des questionnaires"
    page.set_input_files("#submissions", str(bad))
    page.click("text=Vérifier le fichier")
    page.wait_for_selector("text=code inconnu 'a_little'")
    row = page.locator("tr", has_text="a_little")
    assert row.locator("td").nth(0).inner_text() == "3" and row.locator("td").nth(1).inner_text() == "visit_cost"
    assert page.locator("text=Enregistrer 4 réponses").is_visible()
    shot(page, tmp_path, "import-report-fr")
    page.click("text=Enregistrer 4 réponses")  # without ticking "valid rows only": refused, nothing stored
    page.wait_for_selector("text=Des lignes ont des problèmes")
    page.check("input[name=skip_invalid]")
    page.click("text=Enregistrer 4 réponses")
    page.wait_for_selector("text=4 réponses enregistrées")
