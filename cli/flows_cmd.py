"""`flows validate`, `flows cost` and `flows audio-checklist`: check flow files (and their recordings), price them by SMS and by call, list what to record."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from bots.sms_cost import prompt_costs, prompt_warnings
from bots.voice_cost import call_estimates
from flows.audio import audio_problems, checklist
from flows.consent import consent_warnings
from flows.errors import Problem
from flows.lines import line_of, path_lines
from flows.loader import check_flow_file
from flows.page_labels import label_warnings
from palabre.extensions import config


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
                problems = problems + consent_warnings(flow) + prompt_warnings(flow) + label_warnings(flow)
                problems += audio_problems(flow, Path(path).parent)  # recordings exist and play
                if any(p.level == "error" for p in problems):
                    flow = None
            _report(path, problems)
            if flow is None:
                failed += 1
                errors = sum(p.level == "error" for p in problems)
                click.echo(f"{path}: invalid ({plural(errors, 'error')})", err=True)
            else:
                click.echo(f"{path}: ok ({plural(len(flow.questions), 'question')}, languages {', '.join(flow.languages)})")
        raise SystemExit(1 if failed else 0)

    @flows_group.command("audio-checklist")
    @click.argument("path", type=click.Path(dir_okay=False))
    def audio_checklist(path: str) -> None:
        """Print, per language, the script each speaker reads and the file each recording goes to."""
        flow, problems = check_flow_file(path)
        if flow is None:
            _report(path, problems)
            raise SystemExit(1)
        for language, lines in checklist(flow):
            spoken = language in flow.voice_languages
            note = f" (spoken only: say it in {language}; the script is the {flow.default_language} text)" if spoken else ""
            click.echo(f"== {language}{note}: {len(lines)} recordings, paths relative to {Path(path).parent}/")
            for file, script in lines:
                click.echo(f"{file}\t{script}")

    @flows_group.command("cost")
    @click.argument("path", type=click.Path(dir_okay=False))
    def cost(path: str) -> None:
        """Print each question's SMS encoding and segments per language, what one respondent costs, and what a call costs."""
        flow, problems = check_flow_file(path)
        if flow is None:
            _report(path, problems)
            raise SystemExit(1)
        settings = config()
        price, currency = settings.SMS_PRICE_PER_SEGMENT, settings.SMS_PRICE_CURRENCY
        rows = prompt_costs(flow)
        click.echo(f"{'question':<18} {'lang':<5} {'encoding':<8} {'chars':>5} {'segments':>8}")
        for row in rows:
            flag = f"  ({' '.join(row.forcing)} force UCS-2)" if row.forcing else ""
            click.echo(f"{row.question_id:<18} {row.language:<5} {row.encoding:<8} {len(row.text):>5} {row.segments:>8}{flag}")
        for language in flow.languages:
            total = sum(r.segments for r in rows if r.language == language)
            click.echo(f"total per respondent ({language}): {plural(total, 'segment')} for {plural(len(flow.questions), 'question')}, "
                       f"{total * price:.2f} {currency} at {price:g} {currency} a segment (SMS_PRICE_PER_SEGMENT); "
                       f"{total * price * 1000:,.2f} {currency} for 1,000 respondents; plus intro, end and any re-prompts")
        per_minute = settings.VOICE_PRICE_PER_MINUTE
        for call in call_estimates(flow):  # Twilio bills each call by the started minute
            click.echo(f"a completed call ({call.language}): {plural(call.questions, 'question')} asked, about "
                       f"{call.seconds // 60} min {call.seconds % 60:02d} s, billed {plural(call.billed_minutes, 'minute')}: "
                       f"{call.cost(per_minute):.2f} {currency} at {per_minute:g} {currency} a minute (VOICE_PRICE_PER_MINUTE); "
                       f"{call.cost(per_minute) * 1000:,.2f} {currency} for 1,000 completed calls")


def plural(count: int, word: str) -> str:
    """'1 error', '2 errors'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _report(path: str, problems: list[Problem]) -> None:
    """Print each problem as `file:line: level: path: message`, errors on stderr."""
    try:
        lines = path_lines(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        lines = {}
    for problem in problems:
        line = line_of(lines, problem.path)
        where = f"{path}:{line}" if line else path
        click.echo(f"{where}: {problem.level}: {problem}", err=problem.level == "error")
