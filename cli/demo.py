"""`demo`: set up the database, let simulated citizens answer, summarise, then serve the web app."""

from __future__ import annotations

import time

import click
from flask import Flask
from werkzeug.serving import run_simple

from palabre.aggregate import aggregate_open
from cli.init_cmd import run_init
from palabre.demo import simulate
from palabre.extensions import config, database
from palabre.summary import exclusion_summary


def register(app: Flask) -> None:
    @app.cli.command("demo")
    @click.option("--citizens", default=300, show_default=True, type=click.IntRange(1, 100_000), help="How many citizens to simulate.")
    @click.option("--seed", default=1, show_default=True, help="Random seed of the synthetic city.")
    @click.option("--no-serve", is_flag=True, help="Stop after the simulation instead of serving the web app.")
    @click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
    def demo(citizens: int, seed: int, no_serve: bool, port: int) -> None:
        """Simulate citizens answering the open consultation, then serve the web app."""
        run_init()
        settings = config()
        started = time.perf_counter()
        with click.progressbar(length=citizens, label="Citizens answering", show_pos=True, show_eta=True) as bar:
            summary = simulate(database(), settings, citizens, seed=seed, on_citizen=lambda: bar.update(1))
        elapsed = time.perf_counter() - started
        click.echo(f"\n{summary.citizens} citizens sent {summary.messages} messages in {elapsed:.1f} s "
                   f"({summary.messages / max(elapsed, 1e-9):.0f} messages/s).")
        click.echo("Channels: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.channels.items())))
        click.echo("Outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.statuses.items()))
                   + f"; {summary.resumed} dropped USSD sessions resumed")
        aggregate_open(database(), settings)  # inline refreshes were debounced during the run: one full profile now
        with database().session() as session:
            for line in exclusion_summary(session, settings):
                click.echo(line)
        if no_serve:
            return
        click.echo(f"\nServing on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
        # Flask refuses app.run() inside a CLI command; werkzeug's server is what it would call.
        run_simple("127.0.0.1", port, app, use_reloader=False, use_debugger=False, threaded=True)
