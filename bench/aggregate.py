"""Benchmark: `aggregate` over 1,000,000 completed responses on PostgreSQL, against the floor of reading their answers.

    .venv/bin/python bench/aggregate.py [--responses 1000000] [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--database palabre_bench_aggregate] [--keep] [--reuse]

Creates a database of its own (palabre_bench_aggregate), fills it with COPY (synthetic citizens of the
shipped consultation, drawn by the demo's population model), then times:
  - the floor: every answer read out of PostgreSQL, `COPY answers (...) TO STDOUT` into nothing;
  - a cold aggregate: the facts of every response computed from the answers (once, as after a
    change of the flow's profile), then the profile; against the target (within 2x the floor);
  - steady aggregates: facts present (the aggregation job computes them as responses complete),
    the profile recomputed and stored; the median of a few runs, against the target (< 10 s,
    within 3x the floor).
The database is dropped at the end (--keep to look at it; --reuse then times a kept database
again: its facts emptied as a cold rebuild meets them, the floor measured before and after). Localhost only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from palabre.aggregate import aggregate  # noqa: E402
from palabre.consultations import load_library  # noqa: E402
from palabre.population import draw_persona  # noqa: E402
from palabre.schema import upgrade  # noqa: E402

DATABASE = "palabre_bench_aggregate"
PERSONAS = 50_000  # distinct synthetic citizens; conversations reuse them at random
CHUNK = 20_000  # conversations per COPY chunk
STEADY_RUNS = 3
TARGET_SECONDS = 10.0
TARGET_RATIO = 3.0
COLD_TARGET_RATIO = 2.0  # issue #14: facts rebuilt after a profile change or an import
STARTED = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default=DATABASE, help=f"The database to create and drop (default {DATABASE}).")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--reuse", action="store_true",
                        help="Time a database kept by --keep again (no fill): its facts emptied, then the cold aggregate only.")
    args = parser.parse_args()
    if "127.0.0.1" not in args.admin_url and "localhost" not in args.admin_url:
        sys.exit("the benchmark creates and drops a database: point it at a local PostgreSQL only")
    bench_url = args.admin_url.rsplit("/", 1)[0] + "/" + args.database
    if not args.reuse:
        _recreate(args.admin_url, args.database)
    # The machine may be shared: only ratios measured in one run mean anything, next to its load.
    print("load average (1, 5, 15 min) at start: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    try:
        if args.reuse:
            rerun_cold(bench_url)
        else:
            run(bench_url, args.responses)
        print("load average (1, 5, 15 min) at end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    finally:
        if not args.keep:
            _drop(args.admin_url, args.database)


def run(url: str, responses: int) -> None:
    app = create_app({"DATABASE_URL": url, "REDIS_URL": None, "SECRET_KEY": "bench", "PSEUDONYM_KEY": "bench"})
    db = app.extensions["palabre.database"]
    with app.app_context():
        upgrade(db.engine)
        with db.session() as session:
            load_library(session, ROOT / "flows" / "library")
            session.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        consultation = conn.execute("SELECT id FROM consultations WHERE slug = 'access-barriers'").fetchone()[0]
        started = time.perf_counter()
        answers = fill(conn, consultation, responses)
        conn.execute("VACUUM ANALYZE")
        print(f"filled {responses:,} completed responses, {answers:,} answers in {time.perf_counter() - started:.1f} s")
        floor = read_floor(conn)
    print(f"floor: COPY of the {answers:,} answers TO STDOUT: {floor:.2f} s")
    settings = app.extensions["palabre.config"]
    with app.app_context():
        started = time.perf_counter()
        snapshot = aggregate(db, settings, consultation)
        cold = time.perf_counter() - started
        print(f"load average just after the cold aggregate: {os.getloadavg()[0]:.1f}")
        print(f"cold aggregate (facts of {snapshot.responses:,} responses computed from their answers): {cold:.1f} s, "
              f"ratio {cold / floor:.2f} to the floor (target <= {COLD_TARGET_RATIO:.0f}x "
              f"{'met' if cold <= COLD_TARGET_RATIO * floor else 'MISSED'})")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE response_facts")
        steady = []
        for _ in range(STEADY_RUNS):
            started = time.perf_counter()
            snapshot = aggregate(db, settings, consultation)
            steady.append(time.perf_counter() - started)
    median = statistics.median(steady)
    assert snapshot.responses == responses, snapshot.responses
    print(f"aggregate (facts present), {STEADY_RUNS} runs: " + ", ".join(f"{s:.2f} s" for s in steady))
    print(f"aggregate median {median:.2f} s vs floor {floor:.2f} s: ratio {median / floor:.2f} "
          f"(targets: < {TARGET_SECONDS:.0f} s {'met' if median < TARGET_SECONDS else 'MISSED'}, "
          f"<= {TARGET_RATIO:.0f}x floor {'met' if median <= TARGET_RATIO * floor else 'MISSED'})")
    overall = snapshot.data["overall"]
    print(f"profile: H = {overall['H']:.3f}, M0 = {overall['M0']:.4f}, snapshot JSON {len(json.dumps(snapshot.data)):,} bytes")
    db.dispose()


def rerun_cold(url: str) -> None:
    """The cold aggregate of a kept database again, between two floors (the load moves them)."""
    app = create_app({"DATABASE_URL": url, "REDIS_URL": None, "SECRET_KEY": "bench", "PSEUDONYM_KEY": "bench"})
    db = app.extensions["palabre.database"]
    with psycopg.connect(url, autocommit=True) as conn:
        consultation = conn.execute("SELECT id FROM consultations WHERE slug = 'access-barriers'").fetchone()[0]
        # As a cold rebuild meets it after a fill or an import: empty, and analysed empty.
        conn.execute("TRUNCATE response_facts")
        conn.execute("VACUUM ANALYZE response_facts")
        before = read_floor(conn)
    print(f"floor before: {before:.2f} s")
    with app.app_context():
        started = time.perf_counter()
        snapshot = aggregate(db, app.extensions["palabre.config"], consultation)
        cold = time.perf_counter() - started
    print(f"load average just after the cold aggregate: {os.getloadavg()[0]:.1f}")
    with psycopg.connect(url, autocommit=True) as conn:
        after = read_floor(conn)
    print(f"floor after: {after:.2f} s")
    print(f"cold aggregate ({snapshot.responses:,} responses): {cold:.1f} s, ratio {cold / before:.2f} / {cold / after:.2f}"
          f" to the floors before / after; H = {snapshot.data['overall']['H']:.3f}, M0 = {snapshot.data['overall']['M0']:.4f}")
    db.dispose()


def fill(conn: psycopg.Connection, consultation: int, responses: int) -> int:
    """COPY participants, conversations and their answers; return the number of answers."""
    rng = random.Random(5)
    personas = [draw_persona(rng) for _ in range(PERSONAS)]
    # Each persona's answer lines, waiting for their conversation id in front.
    answered = (STARTED + timedelta(minutes=9)).isoformat()
    tails = [
        [f"\t{qid}\t{_copy_text(json.dumps(value))}\t{_copy_text(str(value))}\tt\t{answered}\n"
         for qid, value in p.answers.items() if value is not None]
        for p in personas
    ]
    total = 0
    started, completed = STARTED.isoformat(), (STARTED + timedelta(minutes=10)).isoformat()
    for first in range(1, responses + 1, CHUNK):
        ids = range(first, min(first + CHUNK, responses + 1))
        picks = [rng.randrange(PERSONAS) for _ in ids]
        with conn.cursor().copy("COPY participants (id, pseudonym, created_at) FROM STDIN") as copy:
            copy.write("".join(f"{i}\tb{i:x}{secrets.token_hex(4)}\t{started}\n" for i in ids))
        with conn.cursor().copy(
            "COPY conversations (id, response_id, participant_id, consultation_id, channel, language, status,"
            " current_question, state, started_at, last_activity_at, completed_at) FROM STDIN"
        ) as copy:
            copy.write("".join(
                f"{i}\t{i:016x}\t{i}\t{consultation}\t{personas[p].channel}\t{personas[p].language}\tcompleted"
                f"\t\\N\t{{}}\t{started}\t{completed}\t{completed}\n" for i, p in zip(ids, picks)
            ))
        with conn.cursor().copy("COPY answers (conversation_id, question_id, value, raw_text, valid, answered_at) FROM STDIN") as copy:
            copy.write("".join(f"{i}{line}" for i, p in zip(ids, picks) for line in tails[p]))
        total += sum(len(tails[p]) for p in picks)
    for table in ("participants", "conversations"):
        conn.execute(sql.SQL("SELECT setval(pg_get_serial_sequence({t}, 'id'), (SELECT max(id) FROM {i}))").format(
            t=sql.Literal(table), i=sql.Identifier(table)))
    return total


def read_floor(conn: psycopg.Connection) -> float:
    """Seconds to read every answer out of PostgreSQL and throw it away (best of 3, cache warm)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        with conn.cursor().copy("COPY answers (conversation_id, question_id, value) TO STDOUT") as copy:
            for _block in copy:
                pass  # the floor: read every block and keep nothing
        best = min(best, time.perf_counter() - started)
    return best


def _copy_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _recreate(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def _drop(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))


if __name__ == "__main__":
    main()
