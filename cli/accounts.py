"""`users create` and `tokens create`: accounts for officials and API clients."""

from __future__ import annotations

import sys

import click
from flask import Flask

from models import ROLES
from palabre.accounts import AccountError, create_token, create_user
from palabre.extensions import database


def register(app: Flask) -> None:
    @app.cli.group("users")
    def users() -> None:
        """Manage officials' accounts."""

    @users.command("create")
    @click.argument("email")
    @click.option("--role", type=click.Choice(ROLES), required=True, help="admin manages and sends; analyst reads.")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt.")
    def create_user_command(email: str, role: str, password_stdin: bool) -> None:
        """Create an account; the password is asked for (or read from standard input)."""
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        with database().session() as session:
            try:
                user = create_user(session, email, password, role)
            except AccountError as exc:
                raise click.ClickException(str(exc)) from exc
            session.commit()
            click.echo(f"created {user.role} {user.email}")

    @app.cli.group("tokens")
    def tokens() -> None:
        """Manage API tokens."""

    @tokens.command("create")
    @click.argument("email")
    def create_token_command(email: str) -> None:
        """Create an API token for an account and print it (it is shown only once)."""
        with database().session() as session:
            try:
                token = create_token(session, email)
            except AccountError as exc:
                raise click.ClickException(str(exc)) from exc
            session.commit()
        click.echo("API token (shown once; keep it secret):", err=True)
        click.echo(token)
