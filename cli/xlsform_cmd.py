"""`flows export-xlsform`: the consultation as an XLSForm for enumerators' tablets (ODK Collect, KoboCollect)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click
from flask import Flask

from flows.loader import check_flow_text
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
