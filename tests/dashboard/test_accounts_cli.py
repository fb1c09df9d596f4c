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
