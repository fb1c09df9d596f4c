"""`flows import-rapidpro`: a RapidPro/TextIt flow export becomes a Palabre flow file."""

from __future__ import annotations

import click
from flask import Flask

from cli.imported_flow import write_imported
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
        write_imported(export, output, "import-rapidpro",
                       "Add a consent question, keywords and a profile before opening it to citizens.",
                       lambda: import_rapidpro(export, flow_name, skip_unsupported))
