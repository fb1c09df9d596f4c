"""`flows export-xlsform` and `flows import-xlsform`: consultations to and from XLSForm (ODK, KoboToolbox)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click
from flask import Flask

from cli.imported_flow import write_imported
from flows.loader import check_flow_text
from palabre.flow_import.xlsform import import_xlsform
from flows.xpath import NotExpressible
from palabre.consultations import UnknownConsultation, flow_of, get_consultation
from palabre.exports.xlsform import write_xlsform
from palabre.extensions import database


def register(app: Flask) -> None:
    flows_group = app.cli.commands["flows"]

    @flows_group.command("export-xlsform")  # type: ignore[attr-defined]
    @click.argument("source")
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
                  help="The .xlsx file to write.")
    def export_xlsform(source: str, output: str) -> None:
        """Write a flow (a FLOW.yaml file, or an opened consultation's SLUG) as an XLSForm."""
        if Path(source).is_file():
            text = Path(source).read_text(encoding="utf-8")
            flow, problems = check_flow_text(text)
            if flow is None:
                raise click.ClickException(f"{source} is not a valid flow: run `python app.py flows validate {source}`.")
            sha = hashlib.sha256(text.encode()).hexdigest()
        else:
            with database().session() as session:
                try:
                    consultation = get_consultation(session, source)
                except UnknownConsultation as exc:
                    raise click.ClickException(f"{source} is neither a flow file nor a consultation: {exc}") from None
                flow, sha = flow_of(consultation), consultation.flow_sha256
        try:
            with open(output, "wb") as out:
                write_xlsform(flow, sha, out)
        except NotExpressible as exc:
            Path(output).unlink(missing_ok=True)
            raise click.ClickException(f"a condition cannot be written for ODK: {exc}") from None
        click.echo(f"{output}: XLSForm of {flow.id} ({len(flow.questions)} questions, languages "
                   f"{', '.join(flow.languages)}); load it in ODK Central or KoboToolbox.")

    @flows_group.command("import-xlsform")  # type: ignore[attr-defined]
    @click.argument("form", type=click.Path(exists=True, dir_okay=False))
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
                  help="The flow file (.yaml) to write.")
    @click.option("--skip-unsupported", is_flag=True,
                  help="Leave out what SMS, USSD and bots cannot ask (gps, image, repeat...), with a warning for each.")
    def import_xlsform_command(form: str, output: str, skip_unsupported: bool) -> None:
        """Turn an XLSForm (xlsx, xls, csv or md) into a Palabre flow file."""
        write_imported(form, output, "import-xlsform",
                       "Check the wording for SMS (python app.py flows cost), then add keywords and a profile.",
                       lambda: import_xlsform(form, skip_unsupported))
