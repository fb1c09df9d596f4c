"""`flows validate`: check flow files and name the path of every problem."""

from __future__ import annotations

import click
from flask import Flask

from flows.loader import check_flow_file
from flows.page_labels import label_warnings
from bots.sms_cost import prompt_costs, prompt_warnings


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
                problems = problems + prompt_warnings(flow) + label_warnings(flow)
            for problem in problems:
                click.echo(f"{path}: {problem.level}: {problem}", err=problem.level == "error")
            if flow is None:
                failed += 1
                click.echo(f"{path}: invalid ({sum(p.level == 'error' for p in problems)} errors)", err=True)
            else:
                click.echo(f"{path}: ok ({len(flow.questions)} questions, languages {', '.join(flow.languages)})")
        raise SystemExit(1 if failed else 0)

    @flows_group.command("cost")
    @click.argument("path", type=click.Path(dir_okay=False))
    def cost(path: str) -> None:
        """Print each question's SMS encoding and segments per language, and the total per respondent."""
        flow, problems = check_flow_file(path)
        if flow is None:
            for problem in problems:
                click.echo(f"{path}: {problem.level}: {problem}", err=True)
            raise SystemExit(1)
        rows = prompt_costs(flow)
        click.echo(f"{'question':<18} {'lang':<5} {'encoding':<8} {'chars':>5} {'segments':>8}")
        for row in rows:
            flag = f"  ({' '.join(row.forcing)} force UCS-2)" if row.forcing else ""
            click.echo(f"{row.question_id:<18} {row.language:<5} {row.encoding:<8} {len(row.text):>5} {row.segments:>8}{flag}")
        for language in flow.languages:
            total = sum(r.segments for r in rows if r.language == language)
            click.echo(f"total per respondent ({language}): {total} segments for {len(flow.questions)} questions, "
                       "plus intro, end and any re-prompts")
