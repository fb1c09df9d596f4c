"""What every flow importer's command does with its result: report, write the YAML, say what came of it."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import click
import yaml

from flows.loader import check_flow_file
from palabre.flow_import import Imported, ImportRefused


def write_imported(source: str, output: str, command: str, advice: str, convert: Callable[[], Imported]) -> None:
    """Run an importer; print its problems (exit 1) or its warnings, then write the flow file with a header."""
    try:
        imported = convert()
    except ImportRefused as exc:
        for problem in exc.problems:
            click.echo(f"{source}: error: {problem}", err=True)
        raise SystemExit(1) from None
    for warning in imported.warnings:
        click.echo(f"{source}: warning: {warning}", err=True)
    header = f"# Imported from {Path(source).name} by `python app.py flows {command}`.\n# {advice}\n"
    text = yaml.safe_dump(imported.data, allow_unicode=True, sort_keys=False, width=100)
    Path(output).write_text(header + text, encoding="utf-8")
    flow, _problems = check_flow_file(output)
    click.echo(f"{output}: {len(flow.questions) if flow else 0} questions, languages "
               f"{', '.join(imported.data['languages'])}"
               f"{f', {len(imported.warnings)} warnings' if imported.warnings else ''}.")
