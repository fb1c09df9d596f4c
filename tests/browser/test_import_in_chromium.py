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


def test_enumerators_and_relays_read_on_desktop_and_phone_in_both_languages(server, page, tmp_path):  # noqa: F811
    from tests.browser.test_figures_in_chromium import SCREENSHOTS, SIZES
    from tests.palabre.imports.test_collectors import kobo_rows

    many = tmp_path / "kobo-many.csv"
    many.write_bytes(kobo_rows(5))  # 'Association Femmes du Nord' on 10 completed questionnaires, the Sud relay on 5
    log_in(page, server, "en")
    page.goto(f"{server}/dashboard/access-barriers/import/?lang=en")
    page.set_input_files("#submissions", str(many))
    page.click("text=Check the file")
    assert page.locator("#file-enumerators tbody tr").count() == 2  # awa.diallo's and kofi.mensah's pseudonyms
    page.click("text=Store 25 responses")
    page.wait_for_selector("text=25 responses stored")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        for lang in ("fr", "en"):
            for name, url in (("import", "/dashboard/access-barriers/import/"), ("consultation", "/dashboard/access-barriers"),
                              ("results", "/results/access-barriers")):
                page.goto(f"{server}{url}?lang={lang}")
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (name, lang, size)
                text = page.inner_text("main")
                for secret in ("awa.diallo", "kofi.mensah", "vGq7mTqLJhZ3p8wXkS2dAb"):
                    assert secret not in text, (name, lang, size, secret)
                if name == "import":
                    assert page.locator("#enumerators").is_visible() and page.locator("#enumerators tbody tr").count() == 2
                    page.locator("#enumerators").screenshot(path=str(SCREENSHOTS / f"import-enumerators-{lang}-{size}.png"))
                elif name == "consultation":
                    relays = page.locator("#relays")
                    relays.scroll_into_view_if_needed()
                    assert relays.is_visible()
                    assert "Association Femmes du Nord" in relays.inner_text()
                    assert ("Autres relais" if lang == "fr" else "Other relays") in relays.inner_text()
                    assert "Relais de quartier Sud" not in text  # named by 5: counted with the others
                    page.locator("#representativeness-section").screenshot(
                        path=str(SCREENSHOTS / f"relays-{lang}-{size}.png"))
                else:
                    assert "Association Femmes du Nord" not in text  # staff only
