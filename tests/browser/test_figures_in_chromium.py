"""The consultation and public pages in headless Chromium, French and English, desktop and phone: true figures, words, no overflow.

Screenshots are kept in build/screenshots/ (git-ignored) for a person to look at after the run.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from palabre.accounts import create_user
from tests.browser.test_pages_in_chromium import CHROMIUM, FLAGS

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
SIZES = {"desktop": {"width": 1100, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def served(loaded, db, runner):
    """The app after 150 simulated citizens (enough for a group hidden to protect a smaller one), on a free port."""
    assert runner.invoke(args=["demo", "--no-serve", "--citizens", "150"]).exit_code == 0
    assert runner.invoke(args=["aggregate", "access-barriers"]).exit_code == 0
    with db.session() as session:
        create_user(session, "official@city.example", "a long enough password", "admin")
        session.commit()
    http = make_server("127.0.0.1", 0, loaded, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()


def test_the_figures_read_true_and_fit_the_screen_in_both_languages_on_desktop_and_phone(served):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        for size, viewport in SIZES.items():
            page = browser.new_context(viewport=viewport).new_page()
            page.goto(f"{served}/login?lang=en")
            page.fill("#email", "official@city.example")
            page.fill("#password", "a long enough password")
            page.click("button[type=submit]")
            page.wait_for_url(f"{served}/dashboard/")
            for lang in ("fr", "en"):
                for name, url in (("consultation", "/dashboard/access-barriers"), ("results", "/results/access-barriers"), ("home", "/")):
                    response = page.goto(f"{served}{url}?lang={lang}")
                    assert response is not None and response.status == 200, (url, lang, size, response and response.status)
                    page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}-{size}.png"), full_page=True)
                    # Nothing wider than the screen: wide tables scroll inside their own box.
                    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (name, lang, size)
                    text = page.inner_text("main")
                    for code in ("±", "TELEGRAM", "far_office", "travel_minutes", "district|gender"):
                        assert code not in text, (name, lang, size, code)
                page.goto(f"{served}/dashboard/access-barriers?lang={lang}")
                protected = "masqué pour protéger un petit groupe" if lang == "fr" else "hidden to protect a smaller group"
                assert protected in page.inner_text("#groups")
        browser.close()


def test_the_answer_comes_first_and_its_chart_reads_on_a_phone(served):
    """Headline, groups at risk and why, then progress, funnel, groups, indicators, representativeness; the close step asks first."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    order = ["#answer", "#at-risk", "#progress-section", "#funnel", "#all-groups", "#indicators-section"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        for size, viewport in SIZES.items():
            page = browser.new_context(viewport=viewport).new_page()
            page.goto(f"{served}/login?lang=en")
            page.fill("#email", "official@city.example")
            page.fill("#password", "a long enough password")
            page.click("button[type=submit]")
            page.wait_for_url(f"{served}/dashboard/")
            for lang in ("fr", "en"):
                page.goto(f"{served}/dashboard/access-barriers?lang={lang}")
                tops = [page.locator(selector).bounding_box()["y"] for selector in order]
                assert tops == sorted(tops), (lang, size, tops)
                # The answer is on the first screen, even on a phone, after what may make it wrong (phones only: nobody
                # without one was reached), never in a footnote.
                assert page.locator("#headline").bounding_box()["y"] < viewport["height"]
                assert page.locator("#warnings").bounding_box()["y"] < page.locator("#headline").bounding_box()["y"]
                # The chart's smallest text stays readable: at least 10 px on a 390 px phone.
                smallest = page.evaluate("Math.min(...[...document.querySelectorAll('#at-risk svg text')]"
                                         ".map(t => t.getBoundingClientRect().height))")
                assert smallest >= 10, (lang, size, smallest)
                page.locator("#answer").screenshot(path=str(SCREENSHOTS / f"answer-{lang}-{size}.png"))
                page.locator("#at-risk").screenshot(path=str(SCREENSHOTS / f"at-risk-{lang}-{size}.png"))
                page.goto(f"{served}/results/access-barriers?lang={lang}")
                assert page.locator("#headline").is_visible() and page.locator("#weighting").is_visible()
                assert page.locator("#warnings").bounding_box()["y"] < page.locator("#headline").bounding_box()["y"] < viewport["height"]
                page.locator("main").screenshot(path=str(SCREENSHOTS / f"results-top-{lang}-{size}.png"))
                page.goto(f"{served}/dashboard/?lang={lang}")
                page.screenshot(path=str(SCREENSHOTS / f"consultations-{lang}-{size}.png"), full_page=True)
                page.click("button.danger")  # Close…
                page.wait_for_selector("#confirm-close")
                page.screenshot(path=str(SCREENSHOTS / f"close-confirm-{lang}-{size}.png"))
                assert "badge open" in page.goto(f"{served}/dashboard/?lang={lang}").text()  # not closed without the tick
        browser.close()
