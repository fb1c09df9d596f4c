"""Benchmark: checking a KoboToolbox submissions export before `responses import` stores it.

    .venv/bin/python bench/imports.py [--rows 20000] [--profile]

Writes a Kobo CSV of the samples' form (tests/data/kobo/access_barriers.csv): its five rows repeated
with new submission ids, the numbers (age, minutes, visits) drawn at random within their bounds and
one row in 200 with a wrong code, then times `prepare` (read, detect the layout, run every row through
the engine) on an emptied SQLite database, and prints rows per second. Nothing is stored.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import pstats
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from flows.loader import load_flow  # noqa: E402
from palabre.config import Config  # noqa: E402
from palabre.consultations import get_consultation, upsert_consultation  # noqa: E402
from palabre.imports.store import prepare  # noqa: E402

FORM = ROOT / "tests" / "data" / "forms" / "access_barriers.yaml"
SAMPLE = ROOT / "tests" / "data" / "kobo" / "access_barriers.csv"
NUMBERS = {"age": (10, 100), "travel_minutes": (0, 240), "visits_needed": (1, 10)}
WRONG_EVERY = 200  # one row in this many has a wrong code, as a typed file might


def kobo_file(rows: int, seed: int = 11) -> bytes:
    """The sample's rows, repeated to `rows` with new ids and random numbers, a few with a wrong code."""
    randomise = random.Random(seed)
    header, *sample = list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8")), delimiter=";"))
    at = header.index("_uuid")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for n in range(rows):
        row = list(sample[n % len(sample)])
        row[at] = str(uuid.UUID(int=randomise.getrandbits(128)))
        for name, (low, high) in NUMBERS.items():
            if row[header.index(name)]:
                row[header.index(name)] = str(randomise.randint(low, high))
        if n % WRONG_EVERY == WRONG_EVERY - 1 and row[header.index("visit_cost")]:
            row[header.index("visit_cost")] = "a_little"
        writer.writerow(row)
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="print where the time goes (cProfile)")
    parser.add_argument("--problems", help="write every problem here, one a line (to compare two versions)")
    args = parser.parse_args()
    data = kobo_file(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Config(DATABASE_URL=f"sqlite:///{tmp}/bench.db", REDIS_URL=None, SECRET_KEY="bench",
                                PSEUDONYM_KEY="bench", INSTANCE_DIR=tmp))
        database = app.extensions["palabre.database"]
        from palabre.schema import upgrade
        upgrade(database.engine)
        with app.app_context(), database.session() as session:
            upsert_consultation(session, load_flow(FORM), FORM.read_text(encoding="utf-8"))
            session.commit()
            consultation = get_consultation(session, "access-barriers")
            now = datetime(2026, 3, 1, tzinfo=timezone.utc)
            profiler = cProfile.Profile() if args.profile else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            prepared = prepare(consultation, data, "kobo.csv", now, pseudonym_key="bench")
            if profiler:
                profiler.disable()
            took = time.perf_counter() - started
        database.dispose()
    print(f"checked {prepared.rows:,} rows ({len(prepared.valid):,} valid, {len(prepared.problems):,} problems) "
          f"in {took:.2f} s: {prepared.rows / took:,.0f} rows/s")
    if args.problems:
        Path(args.problems).write_text("".join(f"{p}\n" for p in [*prepared.skipped, *prepared.problems]), encoding="utf-8")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
