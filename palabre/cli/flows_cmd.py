"""`flows validate`: check flow files and name the path of every problem."""

from __future__ import annotations

import click
from flask import Flask

from flows.loader import check_flow_file
from bots.sms_cost import prompt_warnings


def register(app: Flask) -> None:
    @app.cli.group("flows")
    def flows_group() -> None:
        """Work with consultation flow files."""

    @flows_group.command("validate")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
    def validate(paths: tuple[str, ...]) -> None:
        """Check flow files; exit non-zero when any is invalid."""
        failed = 0
        for path in paths:
            flow, problems = check_flow_file(path)
            if flow is not None:
                problems = problems + prompt_warnings(flow)
            for problem in problems:
                click.echo(f"{path}: {problem.level}: {problem}", err=problem.level == "error")
            if flow is None:
                failed += 1
                click.echo(f"{path}: invalid ({sum(p.level == 'error' for p in problems)} errors)", err=True)
            else:
                click.echo(f"{path}: ok ({len(flow.questions)} questions, languages {', '.join(flow.languages)})")
        raise SystemExit(1 if failed else 0)
