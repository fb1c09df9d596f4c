"""The `python app.py ...` commands, grouped by what they work on."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every command to the app's CLI."""
    from cli import accounts, chat, demo, export, flows_cmd, init_cmd, invite, outbox_cmd, participants_cmd, profiles_cmd, rapidpro_cmd, responses_cmd, telegram_cmd, worker_cmd, xlsform_cmd

    for module in (init_cmd, flows_cmd, chat, export, demo, accounts, profiles_cmd, invite, outbox_cmd, participants_cmd, rapidpro_cmd, telegram_cmd, worker_cmd, xlsform_cmd, responses_cmd):
        module.register(app)
