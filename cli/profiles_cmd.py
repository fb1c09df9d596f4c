"""`profiles compute` (offline, from a CSV), `profiles targets` (census margins) and `aggregate` (snapshots)."""

from __future__ import annotations

import io
import json
import time

import click
from flask import Flask
from sqlalchemy import select

from cli.progress import ProgressBar
from flows.loader import check_flow_file
from flows.model import Flow
from models import CensusTargets, utcnow
from palabre.aggregate import NoProfile, aggregate
from palabre.consultations import UnknownConsultation, flow_of, get_consultation
from palabre.extensions import config, database
from profiles.errors import ProfileError
from profiles.from_csv import profile_from_csv
from profiles.responses_csv import ResponsesInvalid
from profiles.table import render_table
from profiles.targets import TargetsInvalid, parse_targets
from profiles.weighting import DEFAULT_TRIM_RATIO
from workers.aggregate import schedule_aggregation


def read_text(path: str) -> str:
    """A CSV as text: UTF-8 (with or without Excel's BOM), else Windows-1252 as older Excel saves it."""
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def register(app: Flask) -> None:
    @app.cli.group("profiles")
    def profiles_group() -> None:
        """Exclusion-risk profiles: compute one from a CSV, set a consultation's census targets."""

    @profiles_group.command("compute")
    @click.option("--flow", "flow_path", required=True, type=click.Path(exists=True, dir_okay=False), help="The flow file (YAML).")
    @click.option("--responses", required=True, type=click.Path(exists=True, dir_okay=False), help="CSV with the export's columns.")
    @click.option("--targets", "targets_path", type=click.Path(exists=True, dir_okay=False), help="CSV variable,value,population.")
    @click.option("--min-cell", type=click.IntRange(min=1), help="Fewest respondents a figure may describe [flow's, else MIN_CELL].")
    @click.option("--trim-ratio", type=click.FloatRange(min=0), default=DEFAULT_TRIM_RATIO, show_default=True,
                  help="Keep every weight within this factor of the mean (0: no trimming).")
    @click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
    @click.option("--lang", help="Language of the table: headers, legend, group and indicator names [the flow's first].")
    def compute(flow_path: str, responses: str, targets_path: str | None, min_cell: int | None, trim_ratio: float,
                fmt: str, lang: str | None) -> None:
        """Compute the profile of a responses CSV (only status=completed rows count)."""
        flow = _load_flow(flow_path)
        targets = None
        if targets_path:
            try:
                targets = parse_targets(read_text(targets_path), flow)
            except TargetsInvalid as exc:
                _fail(targets_path, exc.problems)
        cell = min_cell or flow.profile.min_cell or config().MIN_CELL  # type: ignore[union-attr]
        try:
            with ProgressBar(f"reading {responses}") as progress:
                profile = profile_from_csv(flow, io.StringIO(read_text(responses)), cell, targets, _trim(trim_ratio), progress)
        except ResponsesInvalid as exc:
            _fail(responses, exc.problems)
        except ProfileError as exc:
            raise click.ClickException(str(exc)) from exc
        if fmt == "table":
            click.echo(render_table(profile, lang or flow.default_language, flow), nl=False)
        else:
            click.echo(json.dumps(profile, ensure_ascii=False, indent=2))

    @profiles_group.command("targets")
    @click.argument("slug")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def targets(slug: str, path: str) -> None:
        """Check a census targets CSV against a consultation and store it (replacing the previous one)."""
        text = read_text(path)
        with database().session() as session:
            consultation = _consultation(session, slug)
            try:
                parsed = parse_targets(text, flow_of(consultation))
            except TargetsInvalid as exc:
                _fail(path, exc.problems)
            stored = session.scalar(select(CensusTargets).where(CensusTargets.consultation_id == consultation.id))
            if stored is None:
                stored = CensusTargets(consultation_id=consultation.id)
                session.add(stored)
            stored.csv_text, stored.uploaded_at = text, utcnow()
            session.commit()
            consultation_id = consultation.id
        total = sum(next(iter(parsed.values())).values())
        click.echo(f"{slug}: targets stored for {', '.join(parsed)} (population {total:,.0f})")
        schedule_aggregation(consultation_id, force=True)

    @app.cli.command("aggregate")
    @click.argument("slug")
    @click.option("--trim-ratio", type=click.FloatRange(min=0), default=DEFAULT_TRIM_RATIO, show_default=True,
                  help="Keep every weight within this factor of the mean (0: no trimming).")
    def aggregate_command(slug: str, trim_ratio: float) -> None:
        """Recompute a consultation's profile from the database and store it as a snapshot."""
        with database().session() as session:
            consultation_id = _consultation(session, slug).id
        started = time.perf_counter()
        try:
            with ProgressBar(f"{slug}: facts of new responses") as progress:  # long only after a profile change
                snapshot = aggregate(database(), config(), consultation_id, trim_ratio=_trim(trim_ratio), progress=progress)
        except (NoProfile, ProfileError) as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{slug}: snapshot {snapshot.id} stored, {snapshot.responses} completed responses, "
                   f"computed in {time.perf_counter() - started:.2f} s")


def _load_flow(path: str) -> Flow:
    flow, problems = check_flow_file(path)
    if flow is None:
        _fail(path, [str(p) for p in problems if p.level == "error"])
    if flow.profile is None:  # type: ignore[union-attr]
        raise click.ClickException(f"{path}: the flow has no profile section, so there is nothing to compute")
    return flow  # type: ignore[return-value]


def _consultation(session, slug: str):
    try:
        return get_consultation(session, slug)
    except UnknownConsultation as exc:
        raise click.ClickException(f"{exc}; run `python app.py init` or check the slug") from exc


def _trim(ratio: float) -> float | None:
    if 0 < ratio <= 1:
        raise click.BadParameter("must be greater than 1, or 0 for no trimming", param_hint="--trim-ratio")
    return ratio or None


def _fail(path: str, problems: list[str]) -> None:
    for problem in problems:
        click.echo(f"{path}: {problem}", err=True)
    raise SystemExit(1)
