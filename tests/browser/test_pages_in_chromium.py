"""Pages checked in a real headless Chromium (Debian's), driven by Playwright: what an official and a citizen see."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from palabre.accounts import create_user

CHROMIUM = "/usr/bin/chromium"
# Flags for a closed network and a root user (see the machine notes): no sandbox, no background traffic.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture
def server(loaded, db, runner):
    """The app served on a free local port, after 80 simulated citizens and their profile."""
    assert runner.invoke(args=["demo", "--no-serve", "--citizens", "80"]).exit_code == 0
    runner.invoke(args=["aggregate", "access-barriers"])  # the profile, when that command exists
    with db.session() as session:
        create_user(session, "official@city.example", "a long enough password", "admin")
        session.commit()
    http = make_server("127.0.0.1", 0, loaded, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()


@pytest.fixture
def page(tmp_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
        yield context.new_page()
        context.close()
        browser.close()


def shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, f"{name}: the screenshot looks empty"


def test_an_official_logs_in_and_reads_the_profile(server, page, tmp_path):
    page.goto(f"{server}/dashboard/")
    assert "/login" in page.url
    page.fill("#email", "official@city.example")
    page.fill("#password", "a long enough password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/dashboard/")
    assert page.locator("#outbox").is_visible()  # what went out to citizens, under the consultations
    shot(page, tmp_path, "consultations")
    page.click("text=Progress and profile")
    page.wait_for_selector("h2#progress")
    assert page.locator("svg").count() >= 2
    shot(page, tmp_path, "consultation")
    assert "+225" not in page.content()


def test_the_simulator_renders_three_channels_and_buttons_answer(server, page, tmp_path):
    page.goto(f"{server}/login?lang=en")
    page.fill("#email", "official@city.example")
    page.fill("#password", "a long enough password")
    page.click("button[type=submit]")
    # Let the login's redirect finish first: its response also sets the session cookie, and
    # arriving after the simulator's it would overwrite the conversation the simulator keeps there.
    page.wait_for_url(f"{server}/dashboard/")
    page.goto(f"{server}/dashboard/access-barriers/simulator/?lang=en")
    page.click(".keyboard button:has-text('English')")
    page.wait_for_selector("text=Do you agree to answer?")
    page.fill("#text", "yes")
    page.click("#answer button[type=submit]")
    page.wait_for_selector("text=Which district do you live in?")
    assert page.locator("pre.ussd").inner_text().startswith("CON ")
    shot(page, tmp_path, "simulator")


def test_the_public_page_switches_language_without_login(server, page, tmp_path):
    page.goto(f"{server}/results/access-barriers?lang=en")
    assert page.locator("h2", has_text="Who took part").count() == 1
    shot(page, tmp_path, "results-en")
    page.click("text=Français")
    page.wait_for_selector("text=Qui a participé")
    shot(page, tmp_path, "results-fr")
    assert page.locator("script").count() == 0
