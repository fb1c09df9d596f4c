"""The Content-Security-Policy, as Chromium applies it: nothing on the pages is refused, and they cannot be framed."""

from __future__ import annotations

from tests.browser.test_pages_in_chromium import page, server  # noqa: F401  (fixtures)

PAGES = ["/", "/dashboard/", "/dashboard/access-barriers", "/dashboard/access-barriers/actions/new",
         "/dashboard/access-barriers/simulator/", "/results/access-barriers"]


def test_no_page_breaks_the_policy_and_styles_still_apply(server, page):  # noqa: F811
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto(f"{server}/login?lang=en")
    page.fill("#email", "official@city.example")
    page.fill("#password", "a long enough password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/dashboard/")
    # The card classes that replaced inline styles take effect: the stylesheet loaded under the policy.
    assert page.locator("section.card.stacked").first.evaluate("e => getComputedStyle(e).marginBottom") != "0px"
    for path in PAGES:
        page.goto(f"{server}{path}?lang=en")
        assert page.locator("h1").count() >= 1, path
    assert refused == []


def test_a_page_of_this_site_cannot_be_framed(server, page):  # noqa: F811
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
        page.set_content(f'<iframe src="{server}/login"></iframe>')
    assert "Log in" not in page.frames[-1].content()
