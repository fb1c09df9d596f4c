"""`flows import-rapidpro`: a RapidPro/TextIt flow export becomes a Palabre flow file."""

from __future__ import annotations

from pathlib import Path

import click
import yaml
from flask import Flask

from flows.loader import check_flow_file
from palabre.flow_import import ImportRefused
from palabre.flow_import.rapidpro import import_rapidpro


def register(app: Flask) -> None:
    flows_group = app.cli.commands["flows"]

    @flows_group.command("import-rapidpro")  # type: ignore[attr-defined]
    @click.argument("export", type=click.Path(exists=True, dir_okay=False))
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
                  help="The flow file (.yaml) to write.")
    @click.option("--flow", "flow_name", help="The flow to take, when the export holds several.")
    @click.option("--skip-unsupported", is_flag=True,
                  help="Leave out what Palabre has no equivalent for (webhooks, contact names...), with a warning for each.")
    def import_rapidpro_command(export: str, output: str, flow_name: str | None, skip_unsupported: bool) -> None:
        """Turn a RapidPro export (version 13, flow spec 13.x or 14.x) into a Palabre flow file."""
        try:
            imported = import_rapidpro(export, flow_name, skip_unsupported)
        except ImportRefused as exc:
            for problem in exc.problems:
                click.echo(f"{export}: error: {problem}", err=True)
            raise SystemExit(1) from None
        for warning in imported.warnings:
            click.echo(f"{export}: warning: {warning}", err=True)
        header = (f"# Imported from {Path(export).name} by `python app.py flows import-rapidpro`.\n"
                  "# Add a consent question, keywords and a profile before opening it to citizens.\n")
        Path(output).write_text(header + yaml.safe_dump(imported.data, allow_unicode=True, sort_keys=False, width=100),
                                encoding="utf-8")
        flow, _problems = check_flow_file(output)
        click.echo(f"{output}: {len(flow.questions) if flow else 0} questions, languages "
                   f"{', '.join(imported.data['languages'])}"
                   f"{f', {len(imported.warnings)} warnings' if imported.warnings else ''}.")
