"""`users create` and `tokens create` from the command line."""

from __future__ import annotations

from sqlalchemy import select

from models import ApiToken, User


def test_users_create_reads_the_password_from_stdin_and_stores_only_a_hash(runner, db):
    result = runner.invoke(args=["users", "create", "Mayor@City.example", "--role", "admin", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    with db.session() as session:
        user = session.scalar(select(User))
    assert user.email == "mayor@city.example" and user.role == "admin"
    assert "a long enough password" not in user.password_hash


def test_users_create_refuses_short_passwords_duplicates_and_bad_roles(runner):
    short = runner.invoke(args=["users", "create", "a@city.example", "--role", "analyst", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    runner.invoke(args=["users", "create", "a@city.example", "--role", "analyst", "--password-stdin"], input="long enough pw\n")
    again = runner.invoke(args=["users", "create", "a@city.example", "--role", "analyst", "--password-stdin"], input="long enough pw\n")
    assert again.exit_code != 0 and "already exists" in again.output
    role = runner.invoke(args=["users", "create", "b@city.example", "--role", "mayor", "--password-stdin"], input="long enough pw\n")
    assert role.exit_code != 0


def test_tokens_create_prints_the_token_alone_on_its_last_line_and_it_works(runner, client, db, loaded):
    runner.invoke(args=["users", "create", "a@city.example", "--role", "analyst", "--password-stdin"], input="long enough pw\n")
    result = runner.invoke(args=["tokens", "create", "a@city.example"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("plb_") and " " not in token
    with db.session() as session:
        stored = session.scalar(select(ApiToken))
    assert stored.token_hash != token and token not in stored.token_hash
    assert client.get("/api/v1/consultations", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_tokens_create_for_an_unknown_account_fails_clearly(runner):
    result = runner.invoke(args=["tokens", "create", "ghost@city.example"])
    assert result.exit_code != 0 and "no account for ghost@city.example" in result.output


def _account_with_tokens(runner, n: int = 2) -> list[str]:
    runner.invoke(args=["users", "create", "a@city.example", "--role", "analyst", "--password-stdin"], input="long enough pw\n")
    return [runner.invoke(args=["tokens", "create", "a@city.example"]).output.strip().splitlines()[-1] for _ in range(n)]


def _api(client, token: str) -> int:
    return client.get("/api/v1/consultations", headers={"Authorization": f"Bearer {token}"}).status_code


def test_tokens_revoke_by_prefix_stops_that_token_only(runner, client, loaded):
    kept, revoked = _account_with_tokens(runner)
    result = runner.invoke(args=["tokens", "revoke", revoked[:12]])
    assert result.exit_code == 0 and f"revoked 1 token of a@city.example ({revoked[:12]}" in result.output
    assert _api(client, revoked) == 401 and _api(client, kept) == 200


def test_tokens_revoke_by_email_stops_all_of_the_users_tokens(runner, client, loaded):
    tokens = _account_with_tokens(runner, 3)
    result = runner.invoke(args=["tokens", "revoke", "A@City.example"])
    assert result.exit_code == 0 and "revoked 3 tokens of a@city.example" in result.output
    assert [_api(client, token) for token in tokens] == [401, 401, 401]


def test_tokens_revoke_refuses_unknown_and_ambiguous_prefixes_and_emails(runner, loaded):
    _account_with_tokens(runner)
    unknown = runner.invoke(args=["tokens", "revoke", "plb_nothere"])
    assert unknown.exit_code == 1 and "no active token starts with plb_nothere" in unknown.output
    ambiguous = runner.invoke(args=["tokens", "revoke", "plb_"])
    assert ambiguous.exit_code == 1 and "2 tokens start with plb_" in ambiguous.output
    ghost = runner.invoke(args=["tokens", "revoke", "ghost@city.example"])
    assert ghost.exit_code == 1 and "no account for ghost@city.example" in ghost.output


def test_users_disable_stops_logins_sessions_and_tokens_at_once(runner, app, client, loaded):
    from tests.dashboard.conftest import log_in

    token = _account_with_tokens(runner, 1)[0]
    browser = app.test_client()
    assert log_in(browser, "a@city.example", "long enough pw").status_code == 302
    result = runner.invoke(args=["users", "disable", "a@city.example"])
    assert result.exit_code == 0 and "disabled a@city.example" in result.output
    assert _api(client, token) == 401
    assert browser.get("/dashboard/").status_code == 302
    assert log_in(app.test_client(), "a@city.example", "long enough pw").status_code == 401
    ghost = runner.invoke(args=["users", "disable", "ghost@city.example"])
    assert ghost.exit_code == 1 and "no account for ghost@city.example" in ghost.output


def test_users_set_password_replaces_the_password(runner, app, loaded):
    from tests.dashboard.conftest import log_in

    runner.invoke(args=["users", "create", "a@city.example", "--role", "analyst", "--password-stdin"], input="long enough pw\n")
    short = runner.invoke(args=["users", "set-password", "a@city.example", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    result = runner.invoke(args=["users", "set-password", "a@city.example", "--password-stdin"], input="another long pw\n")
    assert result.exit_code == 0 and "new password for a@city.example" in result.output
    assert log_in(app.test_client(), "a@city.example", "long enough pw").status_code == 401
    assert log_in(app.test_client(), "a@city.example", "another long pw").status_code == 302
