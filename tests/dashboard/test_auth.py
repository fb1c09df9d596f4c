"""Logging in and out, roles, CSRF, and the brake on password guessing."""

from __future__ import annotations

from tests.dashboard.conftest import PASSWORD, csrf_from, log_in


def test_pages_need_a_login(client, accounts):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_with_the_right_password_opens_the_dashboard(client, accounts):
    response = log_in(client, accounts["admin"])
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard/")
    assert client.get("/dashboard/").status_code == 200


def test_a_wrong_password_or_unknown_email_gets_the_same_clear_refusal(client, accounts):
    wrong = log_in(client, accounts["admin"], "not the password")
    unknown = log_in(client, "nobody@city.example")
    assert wrong.status_code == unknown.status_code == 401
    assert b"Wrong email or password" in wrong.data and b"Wrong email or password" in unknown.data


def test_a_form_without_the_csrf_token_is_refused(client, accounts):
    response = client.post("/login", data={"email": accounts["admin"], "password": PASSWORD})
    assert response.status_code == 400 and b"reload the page" in response.data


def test_password_guessing_is_slowed_down(client, accounts):
    for _ in range(5):
        assert log_in(client, accounts["admin"], "guess").status_code == 401
    blocked = log_in(client, accounts["admin"])  # even the right password waits now
    assert blocked.status_code == 429 and b"15 minutes" in blocked.data


def test_logout_ends_the_session(admin):
    token = csrf_from(admin.get("/dashboard/").data)
    assert admin.post("/logout", data={"csrf_token": token}).status_code == 302
    assert admin.get("/dashboard/").status_code == 302


def test_next_only_leads_within_the_site(client, accounts):
    token = csrf_from(client.get("/login").data)
    data = {"email": accounts["admin"], "password": PASSWORD, "csrf_token": token, "next": "https://evil.example/"}
    assert client.post("/login", data=data).headers["Location"].endswith("/dashboard/")


def test_session_cookie_is_http_only_and_lax(client, accounts):
    response = log_in(client, accounts["admin"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_an_analyst_reads_but_cannot_close_a_consultation(analyst):
    page = analyst.get("/dashboard/")
    assert page.status_code == 200 and b"Close" not in page.data and b"Fermer" not in page.data
    response = analyst.post("/dashboard/access-barriers/status", data={"status": "closed", "csrf_token": csrf_from(page.data)})
    assert response.status_code == 403


def test_an_admin_closes_and_reopens_a_consultation(admin):
    token = csrf_from(admin.get("/dashboard/").data)
    assert admin.post("/dashboard/access-barriers/status", data={"status": "closed", "csrf_token": token}).status_code == 302
    assert b"badge closed" in admin.get("/dashboard/").data
    assert admin.post("/dashboard/access-barriers/status", data={"status": "bogus", "csrf_token": token}).status_code == 422


def test_with_redis_down_officials_still_log_in_and_guessing_is_still_slowed(settings, accounts):
    from app import create_app

    client = create_app(settings.replace(REDIS_URL="redis://127.0.0.1:1/0")).test_client()  # shared counter unreachable
    assert log_in(client, accounts["admin"]).status_code == 302
    other = create_app(settings.replace(REDIS_URL="redis://127.0.0.1:1/0")).test_client()
    for _ in range(5):
        assert log_in(other, accounts["analyst"], "guess").status_code == 401
    assert log_in(other, accounts["analyst"]).status_code == 429, "counted in the process meanwhile"
