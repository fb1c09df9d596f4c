"""The floor under the SMS webhook: its database transaction alone, replayed by raw psycopg, no web app.

    .venv/bin/python bench/transaction_floor.py [--seconds 10] [--processes 4]

Each answer mid-conversation runs one transaction (palabre/inbound_store.py, then the inline
reply): lock the sender and their conversation, record the message, save the answer, save the
conversation's state, record the reply, commit. This script replays exactly those statements
(compiled from the same SQLAlchemy objects) from plain psycopg processes with prepared statements,
as fast as PostgreSQL takes them, and reads how much CPU the clients and PostgreSQL used from /proc.
No Python web code runs: what PostgreSQL spends here, every message costs whatever the app does.
It uses a database of its own (BENCH_FLOOR_DATABASE_URL), created, migrated and dropped.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("BENCH_FLOOR_SERVER", "postgresql://postgres@127.0.0.1:5432")
NAME = "palabre_bench_floor"
CONVERSATIONS = 2000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--processes", type=int, default=4, help="client processes (the webhook bench runs 4 gunicorn workers)")
    parser.add_argument("--pipeline", action="store_true",
                        help="send the writes and the COMMIT in one round trip (psycopg pipeline mode): the lowest floor")
    args = parser.parse_args()
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{NAME}"')
        admin.execute(f'CREATE DATABASE "{NAME}"')
    try:
        url = f"{SERVER}/{NAME}"
        _migrate(url)
        state = _fill(url)
        statements = _statements()
        print(f"Transaction floor: {os.cpu_count()} CPUs, {args.processes} psycopg processes, {args.seconds:g} s, "
              f"{'writes and COMMIT pipelined, ' if args.pipeline else ''}"
              f"{CONVERSATIONS} conversations; load average before {os.getloadavg()[0]:.2f}")
        before, started = _postgres_cpu(), time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
            results = pool.starmap(_replay, [(url, statements, state, args.seconds, seed, args.pipeline)
                                             for seed in range(args.processes)])
        elapsed, after = time.perf_counter() - started, _postgres_cpu()
        total = sum(count for count, _, _ in results)
        clients = sum(client for _, client, _ in results) / total * 1000
        backends = sum(backend for _, _, backend in results) / total * 1000
        shared = sum(after[pid] - before[pid] for pid in after.keys() & before.keys()) / total * 1000  # WAL writer...
        print(f"{total} transactions in {elapsed:.1f} s: {total / elapsed:.0f} transactions/s")
        print(f"CPU per transaction: PostgreSQL {backends + shared:.3f} ms ({backends:.3f} in the backends, {shared:.3f} in "
              f"its shared processes), psycopg clients {clients:.3f} ms, together {backends + shared + clients:.3f} ms")
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_DIR": tempfile.mkdtemp(prefix="palabre-floor-"),
           "PSEUDONYM_KEY": "floor", "SECRET_KEY": "floor", "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "app.py", "init"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def _fill(url: str) -> dict:
    """Participants mid-way through the shipped consultation, with a state as large as a real one's."""
    import psycopg
    from psycopg.types.json import Jsonb

    from flows import engine
    from flows.loader import load_flow

    flow = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")
    state, _ = engine.start(flow, 0.0, None)
    for text in ["1", "oui", "nord", "femme", "34", "1", "45"]:
        state, _ = engine.step(flow, state, text, 1.0)
    now = datetime.now(timezone.utc)
    with psycopg.connect(url) as connection:
        consultation = connection.execute("SELECT id FROM consultations ORDER BY id LIMIT 1").fetchone()[0]
        for n in range(CONVERSATIONS):
            participant = connection.execute("INSERT INTO participants (pseudonym, created_at) VALUES (%s, %s) RETURNING id",
                                             (f"p{n:08d}", now)).fetchone()[0]
            connection.execute("INSERT INTO channel_addresses (participant_id, scheme, address_hash, address, created_at) "
                               "VALUES (%s, 'tel', %s, %s, %s)", (participant, f"h{n:08d}", f"+2250790{n:06d}", now))
            connection.execute(
                "INSERT INTO conversations (response_id, participant_id, consultation_id, channel, language, status, "
                "current_question, state, started_at, last_activity_at) VALUES (%s, %s, %s, 'sms', 'fr', 'active', %s, %s, %s, %s)",
                (f"r{n:08d}", participant, consultation, state.current, Jsonb(state.to_json()), now, now))
    return state.to_json()


def _statements() -> dict[str, str]:
    """The webhook's statements, compiled for psycopg from the objects the app executes."""
    from sqlalchemy.dialects.postgresql import psycopg as dialect

    from models import Answer, InboundMessage
    from palabre import inbound_store as store
    from palabre.upsert import insert_ignore_statement, upsert_statement
    from palabre.outbound import _INLINE_REPLY

    compiled = {  # each statement, with the columns the app passes values for
        "lock": (store._LOCK_LIVE, None),
        "record": (insert_ignore_statement("postgresql", InboundMessage.__table__, store.INBOUND_CONFLICT),
                   ["channel", "external_id", "participant_id", "conversation_id", "text", "received_at"]),
        "answer": (upsert_statement("postgresql", Answer.__table__, store.ANSWER_CONFLICT, store.ANSWER_UPDATE),
                   ["conversation_id", "question_id", "value", "raw_text", "valid", "answered_at"]),
        "save": (store._SAVE_CONVERSATION.statement, ["state", "status", "current_question", "last_activity_at"]),
        "reply": (_INLINE_REPLY.statement, ["participant_id", "conversation_id", "inbound_id", "channel", "kind", "text", "status",
                                  "attempts", "created_at", "sent_at"]),
    }
    sql = {name: str(statement.compile(dialect=dialect.dialect(), column_keys=keys)) for name, (statement, keys) in compiled.items()}
    sql["reply_currval"] = sql["reply"].replace("%(inbound_id)s::INTEGER", "currval('inbound_messages_id_seq')")
    return sql


def _replay(url: str, sql: dict[str, str], state: dict, seconds: float, seed: int, pipeline: bool) -> tuple[int, float, float]:
    """Run transactions until the time is up; return how many, and the CPU seconds of this client and its backend."""
    import psycopg
    from psycopg.types.json import Jsonb

    rng = random.Random(seed)
    count = 0
    with psycopg.connect(url, autocommit=True) as connection:  # transactions are the explicit BEGIN ... COMMIT below
        backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        backend_before, client_before = _process_cpu(backend), time.process_time()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            n = rng.randrange(CONVERSATIONS)
            now = datetime.now(timezone.utc)
            lock = {"scheme": "tel", "hash": f"h{n:08d}", "status_1": "active"}
            if pipeline:  # BEGIN and the lock in one round trip
                with connection.pipeline():
                    connection.execute("BEGIN")
                    cursor = connection.execute(sql["lock"], lock, prepare=True)
                row = cursor.fetchone()
            else:
                connection.execute("BEGIN")
                row = connection.execute(sql["lock"], lock, prepare=True).fetchone()
            participant, conversation = row[0], row[1]
            writes = [
                (sql["answer"], {"conversation_id": conversation, "question_id": "phone", "value": Jsonb("yes"),
                                 "raw_text": "1", "valid": True, "answered_at": now}),
                (sql["save"], {"conversation_id": conversation, "state": Jsonb(state), "status": "active",
                               "current_question": "helper", "last_activity_at": now}),
            ]
            record = {"channel": "sms", "external_id": f"SM{seed}-{count}-{time.time_ns()}", "text": "1",
                      "received_at": now, "participant_id": participant, "conversation_id": conversation}
            reply = {"participant_id": participant, "conversation_id": conversation, "channel": "sms", "kind": "reply",
                     "text": "Quelqu'un vous aide-t-il ?\n1 Oui\n2 Non", "status": "inline", "attempts": 0,
                     "created_at": now, "sent_at": now}
            if pipeline:  # the writes and COMMIT in one round trip; the reply's inbound id by currval
                with connection.pipeline():
                    connection.execute(sql["record"], record, prepare=True)
                    for statement, values in writes:
                        connection.execute(statement, values, prepare=True)
                    connection.execute(sql["reply_currval"], reply, prepare=True)
                    connection.execute("COMMIT")
            else:
                inbound = connection.execute(sql["record"], record, prepare=True).fetchone()[0]
                for statement, values in writes:
                    connection.execute(statement, values, prepare=True)
                connection.execute(sql["reply"], {**reply, "inbound_id": inbound}, prepare=True)
                connection.execute("COMMIT")
            count += 1
        return count, time.process_time() - client_before, _process_cpu(backend) - backend_before


def _process_cpu(pid: int) -> float:
    """CPU seconds (user and system) a process of this machine has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_cpu() -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL process (the backends of this run come and go; the others stay)."""
    used = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"postgres"):
                used[int(pid)] = _process_cpu(int(pid))
        except OSError:
            continue
    return used


if __name__ == "__main__":
    main()
