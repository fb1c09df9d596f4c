"""Benchmark the SMS, USSD and voice webhooks under gunicorn on PostgreSQL, against a constant-TwiML ceiling.

    .venv/bin/python bench/webhooks.py [--seconds 15] [--workers 4] [--threads 1] [--clients 2]
    .venv/bin/python bench/webhooks.py --mixed-only [--citizens 2000] [--rounds 4]

Needs PostgreSQL and Redis on their standard local ports. It uses a database of its own
(BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/palabre_bench_webhooks, created if
missing, migrated with `app.py init`, and emptied of conversations first) and Redis database 13
(BENCH_REDIS_URL) so that completed responses queue their profile refresh as in production.
Everything listens on 127.0.0.1 only; every phase is bounded in time, and the run stops by itself.

Phases, each against a fresh gunicorn with the same settings: the full app at maximum
throughput (SMS, USSD, then voice calls), the full app at a fixed offered rate (SMS, then voice steps), then the bare Flask
ceiling (bench/ceiling.py) at maximum throughput and at the same rate. Simulated citizens run
complete conversations of the shipped consultation, with signed requests, from separate processes.

Then, on the same app server, the mixed load of issue #14 (`--citizens`, 2,000 by default, 20 SMS each: a first contact, answers
the engine rejects, a completion, a new conversation after it; bench/loadgen.py's MIXED_SCRIPT) against
the app, and against a hand-written durable webhook (bench/durable_webhook.py: signature, the message
recorded once, the sender locked and updated, the reply recorded, commit) under the same gunicorn
settings, alternating in `--rounds`; the ratio of their throughputs is printed. `--mixed-only` runs just those.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.durable_webhook import create_schema  # noqa: E402
from bench.loadgen import Result, Spec, drive  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/palabre_bench_webhooks")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
AUTH_TOKEN, USSD_SECRET = "bench-twilio-token", "bench-ussd-secret"
CHART = ROOT / "bench" / "results" / "webhooks.svg"
MIXED, DURABLE = "mixed SMS, full path, max", "mixed SMS, durable webhook"
SERVERS: dict[int, int] = {}  # port: the gunicorn master's pid
MIXED_BOUND_SECONDS = 1800  # the mixed load runs its citizens to the end, within this
TABLES = "participants, channel_addresses, conversations, answers, inbound_messages, outbound_messages, invitations, profile_snapshots"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15, help="length of each measured phase")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (>1: gthread)")
    parser.add_argument("--clients", type=int, default=2, help="load-generating processes")
    parser.add_argument("--concurrency", type=int, default=8, help="citizens talking at once, per client process")
    parser.add_argument("--rate", type=float, default=200, help="offered messages per second in the fixed-rate phases")
    parser.add_argument("--citizens", type=int, default=2000, help="citizens of the mixed load (20 messages each)")
    parser.add_argument("--rounds", type=int, default=4, help="the mixed load's citizens are shared out over this many "
                        "rounds, each on the app then on the durable webhook")
    parser.add_argument("--mixed-only", action="store_true", help="run only the mixed load, app then durable webhook")
    args = parser.parse_args()
    env = _prepare()
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--threads", str(args.threads),
                "--bind", "127.0.0.1:{port}", "--log-level", "warning"]
    print(f"Palabre webhook benchmark: {os.cpu_count()} CPUs, PostgreSQL, gunicorn --workers {args.workers} "
          f"--threads {args.threads}, {args.clients} client processes x {args.concurrency} citizens, {args.seconds:g} s a phase")
    print("load average before: {:.2f} {:.2f} {:.2f} (other processes share the CPUs: figures are only as quiet as this)".format(*os.getloadavg()))
    rows = []
    with _serve(gunicorn, "app:create_app()", env) as port:
        _warm_up(port, args)
        if not args.mixed_only:
            rows.append(("SMS, full path, max", _phase(port, "sms", "max", args)))
            rows.append(("USSD, full path, max", _phase(port, "ussd", "max", args)))
            rows.append(("Voice, full path, max", _phase(port, "voice", "max", args)))
            rows.append((f"SMS, full path, {args.rate:g}/s offered", _phase(port, "sms", "rate", args)))
            # A caller hears silence while we think: each keypad step should be answered within 100 ms (p99).
            rows.append((f"Voice, full path, {args.rate:g}/s offered", _phase(port, "voice", "rate", args)))
        with _serve(gunicorn, "bench.durable_webhook:app", env) as durable_port:
            _warm_up(durable_port, args, ceiling=True)
            rows += _mixed_rounds(port, durable_port, args)
    if not args.mixed_only:
        with _serve(gunicorn, "bench.ceiling:app", env) as port:
            _warm_up(port, args, ceiling=True)
            rows.append(("ceiling (constant TwiML), max", _phase(port, "sms", "max", args, ceiling=True)))
            rows.append((f"ceiling, {args.rate:g}/s offered", _phase(port, "sms", "rate", args, ceiling=True)))
    _report(rows, args)
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # the profile refreshes queued during the run: nobody runs them


def _mixed_rounds(port: int, durable_port: int, args) -> list[tuple[str, Result]]:
    """The mixed load on the app, then on the durable webhook, in alternate rounds; each side's merged result.

    Both servers stay up (an idle one costs nothing): alternating keeps a change in the machine's other
    load from falling on one side only. Each round's ratio is printed as it ends.
    """
    app, durable = Result(), Result()
    cpu = {MIXED: [0.0, 0.0], DURABLE: [0.0, 0.0]}  # seconds of CPU: the gunicorn processes, their PostgreSQL backends
    for index in range(args.rounds):
        citizens = args.citizens // args.rounds + (index < args.citizens % args.rounds)
        rates = []
        for name, total, target, ceiling in ((MIXED, app, port, False), (DURABLE, durable, durable_port, True)):
            before = _server_cpu(target)
            part = _phase(target, "mixed", "max", args, ceiling=ceiling, citizens=citizens)
            after = _server_cpu(target)
            cpu[name] = [cpu[name][i] + after[i] - before[i] for i in range(2)]
            total.latencies += part.latencies
            total.errors += part.errors
            total.completed += part.completed
            total.elapsed += part.elapsed
            rates.append(len(part.latencies) / part.elapsed)
        print(f"round {index + 1}/{args.rounds}: {citizens} citizens, app {rates[0]:.0f} msg/s, durable webhook "
              f"{rates[1]:.0f} msg/s, ratio {rates[0] / rates[1]:.2f}; load average {os.getloadavg()[0]:.2f}", flush=True)
    # Throughput follows the machine's load; the CPU each message costs much less. On a quiet machine where both
    # saturate the cores, the throughput ratio tends to the inverse ratio of CPU per message (load generator aside).
    per_message = {name: [seconds * 1000 / len(result.latencies) for seconds in cpu[name]]
                   for name, result in ((MIXED, app), (DURABLE, durable))}
    for name, (web, database) in per_message.items():
        print(f"{name}: CPU per message {web + database:.2f} ms (gunicorn {web:.2f}, PostgreSQL {database:.2f})")
    print("durable webhook / full path, CPU per message: {:.2f}".format(sum(per_message[DURABLE]) / sum(per_message[MIXED])))
    return [(MIXED, app), (DURABLE, durable)]


def _server_cpu(port: int) -> tuple[float, float]:
    """CPU seconds used so far by the gunicorn serving this port (master and workers), and by the bench database's backends."""
    tick = os.sysconf("SC_CLK_TCK")
    server, database = SERVERS[port], DATABASE_URL.rsplit("/", 1)[1]
    web = postgres = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        used = (int(fields[11]) + int(fields[12])) / tick
        if int(entry.name) == server or int(fields[1]) == server:
            web += used
        elif command.startswith(b"postgres:") and f" {database} ".encode() in command:
            postgres += used  # backends of both servers: the idle one's use nothing
    return web, postgres


def _phase(port: int, kind: str, mode: str, args, ceiling: bool = False, seconds: float | None = None,
           citizens: int = 0) -> Result:
    """Run the client processes for one phase and merge what they measured (`citizens`: that many, shared out)."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    base = int(time.time() * 1000) % 10_000_000  # fresh citizens in each phase
    seconds = seconds or (MIXED_BOUND_SECONDS if citizens else args.seconds)
    shares = [citizens // args.clients + (i < citizens % args.clients) for i in range(args.clients)]
    specs = [Spec(port=port, kind=kind, mode=mode, seconds=seconds, concurrency=args.concurrency,
                  rate=args.rate / args.clients, first_citizen=(base + i * 1_000_000) % 9_000_000,
                  public_base_url=f"http://127.0.0.1:{port}", auth_token=AUTH_TOKEN, ussd_secret=USSD_SECRET,
                  check_completion=not ceiling, citizens=shares[i])
             for i in range(args.clients)]
    processes = [context.Process(target=drive, args=(spec, results)) for spec in specs]
    for process in processes:
        process.start()
    merged = Result()
    for _ in processes:
        part = results.get(timeout=seconds + 120)
        merged.latencies += part.latencies
        merged.errors += part.errors
        merged.completed += part.completed
        merged.elapsed = max(merged.elapsed, part.elapsed)
    for process in processes:
        process.join(timeout=30)
    return merged


def _warm_up(port: int, args, ceiling: bool = False) -> None:
    """Let every worker open its database connections and parse the flow before measuring."""
    _phase(port, "sms", "max", args, ceiling=ceiling, seconds=3)


def _report(rows: list[tuple[str, Result]], args) -> None:
    print(f"\n{'phase':<34}{'messages':>9}{'errors':>8}{'msg/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'completed':>11}")
    figures = {}
    for name, result in rows:
        latencies = sorted(result.latencies)
        rate = len(latencies) / result.elapsed if result.elapsed else 0.0
        p50, p99 = (_percentile(latencies, q) * 1000 for q in (0.50, 0.99))
        figures[name] = (rate, p99)
        completed = str(result.completed) if not name.startswith("ceiling") and name != DURABLE else "-"
        print(f"{name:<34}{len(latencies):>9}{result.errors:>8}{rate:>9.0f}{p50:>9.1f}{p99:>9.1f}{completed:>11}")
    mixed, durable = figures[MIXED][0], figures[DURABLE][0]
    print(f"\nmixed SMS full path / durable webhook throughput: {mixed / durable if durable else 0.0:.2f} (target >= 0.5; "
          f"{args.citizens} citizens x 20 messages, {dict(rows)[MIXED].completed} completions)")
    if args.mixed_only:
        return
    sms_rate, ceiling_rate = figures["SMS, full path, max"][0], figures["ceiling (constant TwiML), max"][0]
    ratio = sms_rate / ceiling_rate if ceiling_rate else 0.0
    p99 = figures[f"SMS, full path, {args.rate:g}/s offered"][1]
    print(f"SMS full path / ceiling throughput: {ratio:.2f} (target >= 0.5)")
    print(f"SMS full path p99 at {args.rate:g} messages/s offered: {p99:.1f} ms (target < 100 ms)")
    voice_p99 = figures[f"Voice, full path, {args.rate:g}/s offered"][1]
    print(f"Voice full path p99 at {args.rate:g} steps/s offered: {voice_p99:.1f} ms (target < 100 ms)")
    _chart(figures, ceiling_rate)


def _chart(figures: dict[str, tuple[float, float]], ceiling_rate: float) -> None:
    """Throughput as bars against the ceiling and the target, in an SVG that BENCHMARKS.md shows."""
    from dashboard.charts import horizontal_bars

    rows = [("ceiling (constant TwiML)", ceiling_rate, f"{ceiling_rate:.0f}/s"),
            ("target: half the ceiling", ceiling_rate / 2, f"{ceiling_rate / 2:.0f}/s")]
    for name in ("SMS, full path, max", "USSD, full path, max", "Voice, full path, max"):
        rate = figures[name][0]
        rows.append((name.replace(", max", ""), rate, f"{rate:.0f}/s ({rate / ceiling_rate:.2f})" if ceiling_rate else ""))
    CHART.parent.mkdir(exist_ok=True)
    CHART.write_text(horizontal_bars(rows, "Webhook throughput, messages per second (bench/webhooks.py)") + "\n")
    print(f"chart: {CHART.relative_to(ROOT)}")


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _prepare() -> dict[str, str]:
    """Create and migrate the bench database, empty it of conversations; return the servers' environment."""
    import psycopg
    import redis

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    instance = tempfile.mkdtemp(prefix="palabre-bench-")
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
           "USSD_SHARED_SECRET": USSD_SECRET, "PSEUDONYM_KEY": "bench-pseudonym-key", "SECRET_KEY": "bench-secret",
           "INSTANCE_DIR": instance, "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("PUBLIC_BASE_URL", None)  # requests are signed for the URL they are sent to
    subprocess.run([sys.executable, "app.py", "init"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        connection.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
    create_schema(DATABASE_URL)  # the durable baseline's tables, empty
    redis.Redis.from_url(REDIS_URL).flushdb()
    return env


@contextmanager
def _serve(command: list[str], target: str, env: dict[str, str]) -> Iterator[int]:
    """Run gunicorn on a free local port until the block ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = [part.format(port=port) for part in command] + [target]
    server = subprocess.Popen(argv, cwd=ROOT, env=env)
    SERVERS[port] = server.pid
    try:
        _wait_until_up(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped with code {server.returncode}")
        try:
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/sms/twilio", method="GET"), timeout=1)
        except urllib.error.HTTPError:
            return  # 405: it answers
        except OSError:
            time.sleep(0.2)
            continue
        return
    raise SystemExit("gunicorn did not start within 60 s")


if __name__ == "__main__":
    main()
