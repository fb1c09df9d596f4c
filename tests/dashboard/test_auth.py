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
    response = client.post("/login?lang=en", data={"email": accounts["admin"], "password": PASSWORD})
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
    assert admin.post("/dashboard/access-barriers/status", data={"status": "closed", "confirm": "yes", "csrf_token": token}).status_code == 302
    assert b"badge closed" in admin.get("/dashboard/").data
    assert admin.post("/dashboard/access-barriers/status", data={"status": "bogus", "csrf_token": token}).status_code == 422


def test_with_redis_down_officials_still_log_in_and_guessing_is_still_slowed(settings, accounts):
    from app import create_app

    client = create_app(settings.replace(REDIS_URL="redis://127.0.0.1:1/0")).test_client()  # shared counter unreachable
    assert log_in(client, accounts["admin"]).status_code == 302
    other = create_app(settings.replace(REDIS_URL="redis://127.0.0.1:1/0")).test_client()
    for _ in range(5):
        assert log_in(other, accounts["analyst"], "guess").status_code == 401
    assert log_in(other, accounts["analyst"]).status_code == 429, "counted in the database meanwhile"


def _replay(app, cookie: str):
    """A fresh browser that only has a saved session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def test_a_cookie_saved_before_logout_no_longer_opens_the_dashboard(app, admin):
    saved = admin.get_cookie("session").value
    assert _replay(app, saved).get("/dashboard/").status_code == 200
    token = csrf_from(admin.get("/dashboard/").data)
    admin.post("/logout", data={"csrf_token": token})
    replayed = _replay(app, saved).get("/dashboard/")
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


def test_logging_out_ends_the_users_sessions_on_every_device(app, admin, accounts):
    laptop = app.test_client()
    assert log_in(laptop, accounts["admin"]).status_code == 302
    admin.post("/logout", data={"csrf_token": csrf_from(admin.get("/dashboard/").data)})
    assert laptop.get("/dashboard/").status_code == 302
    assert log_in(laptop, accounts["admin"]).status_code == 302, "logging in again works"
    assert laptop.get("/dashboard/").status_code == 200


def test_a_disabled_official_is_logged_out_at_once_and_cannot_log_in(app, admin, accounts, db):
    from palabre.accounts import disable_user

    with db.session() as session:
        disable_user(session, accounts["admin"])
        session.commit()
    assert admin.get("/dashboard/").status_code == 302
    refused = log_in(app.test_client(), accounts["admin"])
    assert refused.status_code == 401 and b"Wrong email or password" in refused.data


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(app, admin, accounts, db):
    from palabre.accounts import set_password

    with db.session() as session:
        set_password(session, accounts["admin"], "a brand new password")
        session.commit()
    assert admin.get("/dashboard/").status_code == 302
    assert log_in(app.test_client(), accounts["admin"]).status_code == 401
    assert log_in(app.test_client(), accounts["admin"], "a brand new password").status_code == 302


def test_two_web_workers_on_one_database_share_the_failed_login_count(settings, accounts):
    from app import create_app

    first, second = create_app(settings).test_client(), create_app(settings).test_client()  # as two gunicorn workers
    for client in (first, second, first, second, first):
        assert log_in(client, accounts["admin"], "guess").status_code == 401
    assert log_in(second, accounts["admin"]).status_code == 429


def test_one_address_spraying_many_accounts_is_throttled(client, accounts):
    from palabre.login_throttle import FAILURES_PER_ADDRESS

    for n in range(FAILURES_PER_ADDRESS):
        assert log_in(client, f"user{n}@city.example", "Password1").status_code == 401
    sprayed = log_in(client, "user-next@city.example", "Password1")
    assert sprayed.status_code == 429 and b"Too many attempts" in sprayed.data
    assert log_in(client, accounts["admin"]).status_code == 429, "even a real account waits, from this address"
    elsewhere = client.post("/login", data={"email": accounts["analyst"], "password": PASSWORD,
                                            "csrf_token": csrf_from(client.get("/login").data)},
                            environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert elsewhere.status_code == 302, "other addresses are not punished"


def test_a_throttled_login_says_so_in_french_too(client, accounts):
    for _ in range(5):
        log_in(client, accounts["admin"], "guess")
    token = csrf_from(client.get("/login").data)
    blocked = client.post("/login?lang=fr", data={"email": accounts["admin"], "password": PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429 and "Trop de tentatives" in blocked.data.decode()
    assert blocked.headers["Retry-After"] == str(15 * 60)


def test_a_success_clears_that_accounts_failures(client, accounts):
    for _ in range(4):
        log_in(client, accounts["admin"], "guess")
    assert log_in(client, accounts["admin"]).status_code == 302
    for _ in range(4):
        assert log_in(client, accounts["admin"], "guess").status_code == 401


def test_a_next_with_a_line_break_or_a_backslash_leads_to_the_dashboard(app, accounts):
    # Browsers read "/\\host" as "//host" and drop tabs and line breaks: each of these would leave the site.
    for bad in ("/dashboard/\r\nSet-Cookie: x=1", "/\\evil.example/", "/\t/evil.example/"):
        client = app.test_client()
        token = csrf_from(client.get("/login").data)
        data = {"email": accounts["admin"], "password": PASSWORD, "csrf_token": token, "next": bad}
        response = client.post("/login", data=data)
        assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard/"), repr(bad)
    assert app.test_client().get("/login?next=/dashboard/%0d%0aX:1").status_code == 200
