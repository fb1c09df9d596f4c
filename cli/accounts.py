"""`users create|disable|set-password` and `tokens create|revoke`: accounts for officials and API clients."""

from __future__ import annotations

import sys

import click
from flask import Flask

from models import ROLES
from palabre.accounts import AccountError, create_token, create_user, disable_user, revoke_tokens, set_password
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
        password = _read_password(password_stdin)
        with database().session() as session:
            try:
                user = create_user(session, email, password, role)
            except AccountError as exc:
                raise click.ClickException(str(exc)) from exc
            session.commit()
            click.echo(f"created {user.role} {user.email}")

    @users.command("disable")
    @click.argument("email")
    def disable_user_command(email: str) -> None:
        """Stop an account at once: no more login, its sessions end and its API tokens are refused."""
        with database().session() as session:
            try:
                user = disable_user(session, email)
            except AccountError as exc:
                raise click.ClickException(str(exc)) from exc
            session.commit()
            click.echo(f"disabled {user.email}: logged out everywhere, API tokens refused")

    @users.command("set-password")
    @click.argument("email")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt.")
    def set_password_command(email: str, password_stdin: bool) -> None:
        """Give an account a new password; its sessions end (it logs in again with the new one)."""
        password = _read_password(password_stdin)
        with database().session() as session:
            try:
                user = set_password(session, email, password)
            except AccountError as exc:
                raise click.ClickException(str(exc)) from exc
            session.commit()
            click.echo(f"new password for {user.email}: logged out everywhere")

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

    @tokens.command("revoke")
    @click.argument("prefix_or_email", metavar="TOKEN_PREFIX|EMAIL")
    def revoke_token_command(prefix_or_email: str) -> None:
        """Revoke one token by its first characters (e.g. plb_AbCd1234), or every token of an account by email."""
        with database().session() as session:
            try:
                user, revoked = revoke_tokens(session, prefix_or_email)
            except AccountError as exc:
                raise click.ClickException(str(exc)) from exc
            session.commit()
            prefixes = ", ".join(row.prefix + "..." for row in revoked)
            click.echo(f"revoked {len(revoked)} token{'s' if len(revoked) > 1 else ''} of {user.email} ({prefixes})")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)
