"""Soak: the Procfile's processes on PostgreSQL and Redis, N citizens on four channels, a worker killed, Redis restarted.

    .venv/bin/python bench/soak.py [--citizens 20000] [--web-workers 4] [--job-workers 2]

Starts, all on 127.0.0.1: its own redis-server (--port 6390 by default, no persistence, so a restart
loses every job as a crash would), a fake Telegram Bot API, gunicorn with the web app and
`python app.py worker` processes, on the database SOAK_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/palabre_soak: created if missing, migrated with `app.py init`,
emptied of conversations first). Citizens complete the shipped consultation over signed Twilio SMS,
Africa's Talking USSD, Telegram updates (replies leave through the send job to the fake Bot API,
where each Telegram citizen waits for its reply before answering, --telegram-reply-wait) and
Twilio WhatsApp, from client processes of their own (bench/soak_citizens.py). An advisory lock
keeps a second soak off the same database.

Once a third of the citizens are done, one job worker is SIGKILLed and started again, and one
gunicorn worker is SIGKILLed (its master starts another). Once two thirds are done, Redis is
stopped and started again, empty. `python app.py outbox retry` runs every --cron-seconds, as the
README asks of cron. After the last citizen: wait for the profile snapshot to include every
response and for the Telegram replies to have left, then check the database and print the figures.
Exit code 0 only when every check holds. Every phase is bounded in time; the run stops by itself.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fake_bot_api import FakeBotApi  # noqa: E402
from bench.soak_citizens import CHANNELS, DONE, EXPECTED, RETRIES, SCRIPTS, Tally, Target, talk  # noqa: E402

DATABASE_URL = os.environ.get("SOAK_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/palabre_soak")
AUTH_TOKEN, USSD_SECRET = "soak-twilio-token", "soak-ussd-secret"
BOT_TOKEN, TELEGRAM_SECRET = "123456789:AAF-soak-token_for-the-fake-bot-api", "soak-webhook-secret"
TABLES = ("participants, channel_addresses, conversations, answers, inbound_messages, outbound_messages, invitations, "
          "profile_snapshots, response_facts, broadcasts, actions")
SLUG = "access-barriers"
ADVISORY_LOCK = 0x50A4  # held on the soak's database for the whole run


@dataclass
class Options:
    citizens: int = 20_000
    web_workers: int = 4
    job_workers: int = 2
    clients: int = 2  # load processes
    threads: int = 12  # citizens talking at once, per load process
    redis_port: int = 6390
    database_url: str = DATABASE_URL
    max_seconds: float = 3600  # the load phase stops here whatever happened
    settle_seconds: float = 300  # after the load: wait this long at most for the snapshot and the replies
    cron_seconds: float = 30  # `outbox retry`, as cron would run it
    reply_wait: float = 60  # seconds a Telegram citizen waits for its reply before answering anyway; 0: no wait
    verbose: bool = True


@dataclass
class Report:
    citizens: int
    load_seconds: float = 0.0
    events: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, what happened)
    tally: Tally = field(default_factory=Tally)
    conversations: dict[str, dict[str, int]] = field(default_factory=dict)  # channel -> status -> count
    answers_stored: int = 0
    answers_expected: int = 0
    answer_mismatches: list[str] = field(default_factory=list)
    duplicates: int = 0
    snapshot_responses: int | None = None
    snapshot_seconds: float | None = None  # from the last citizen's end to a snapshot with every response
    telegram_ended: int = 0
    outbound: dict[str, int] = field(default_factory=dict)  # Telegram replies by status
    unexpected_api_calls: int = 0
    tracebacks: int = 0
    logs: str = ""

    @property
    def completed(self) -> int:
        return sum(statuses.get("completed", 0) for statuses in self.conversations.values())

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.tally.statuses.items() if status >= 500)

    def failures(self) -> list[str]:
        """Every check that does not hold, in words."""
        problems = []
        if self.completed != self.citizens:
            problems.append(f"{self.completed} conversations completed, not {self.citizens}")
        if self.answers_stored != self.answers_expected or self.answer_mismatches or self.duplicates:
            problems.append(f"answers: {self.answers_stored} stored against {self.answers_expected} expected, "
                            f"{self.duplicates} duplicated, {len(self.answer_mismatches)} mismatching groups")
        if self.server_errors:
            problems.append(f"{self.server_errors} responses 5xx")
        if self.tally.gave_up:
            problems.append(f"{self.tally.gave_up} requests unanswered after {RETRIES} resends")
        if self.snapshot_seconds is None:
            problems.append(f"the profile snapshot never included every response ({self.snapshot_responses})")
        if self.unexpected_api_calls:
            problems.append(f"{self.unexpected_api_calls} calls to Twilio's REST API (replies should be inline)")
        return problems


def run(options: Options) -> Report:
    """Start everything, drive the citizens, break things on the way, check, stop everything."""
    report = Report(citizens=options.citizens)
    started = time.monotonic()

    def event(what: str) -> None:
        report.events.append((time.monotonic() - started, what))
        if options.verbose:
            print(f"  {time.monotonic() - started:7.1f} s  {what}", flush=True)

    logs = Path(tempfile.mkdtemp(prefix="palabre-soak-"))
    report.logs = str(logs)
    redis_server = RedisServer(options.redis_port, logs)
    with FakeBotApi(BOT_TOKEN, DONE["telegram"]) as fake:
        env = _environment(options, redis_server.url, fake, logs)
        lock = _prepare(options.database_url, env)
        processes = Processes(env, options, logs)
        try:
            redis_server.start()
            processes.start()
            event(f"gunicorn ({options.web_workers} workers) on port {processes.port}, {options.job_workers} job workers, "
                  f"redis-server on port {options.redis_port}")
            _load(options, processes, redis_server, fake, report, event)
            last_citizen = time.monotonic()
            _settle(options, processes, fake, report, event, last_citizen)
        finally:
            processes.stop()
            redis_server.stop()
        report.telegram_ended = len(fake.ended)
        report.unexpected_api_calls = fake.unexpected
    try:
        _check(options.database_url, report)
    finally:
        lock.close()
    report.tracebacks = sum(path.read_text(errors="replace").count("Traceback") for path in logs.glob("*.log"))
    return report


def _load(options: Options, processes: Processes, redis_server: RedisServer, fake: FakeBotApi, report: Report,
          event) -> None:
    """Drive the citizens from client processes; kill a worker at a third, restart Redis at two thirds."""
    context = multiprocessing.get_context("spawn")
    done, tallies = context.Value("i", 0), context.Queue()
    target = Target(port=processes.port, auth_token=AUTH_TOKEN, ussd_secret=USSD_SECRET,
                    telegram_secret=TELEGRAM_SECRET, run_id=int(time.time()) % 1000,
                    bot_api_port=int(fake.base_url.rsplit(":", 1)[1]), reply_wait=options.reply_wait)
    # Deal the citizens out four at a time (one of each channel), so that every process talks on every channel.
    shares = [[i for i in range(options.citizens) if (i // len(CHANNELS)) % options.clients == k] for k in range(options.clients)]
    clients = [context.Process(target=talk, args=(target, share, options.threads, done, options.max_seconds, tallies))
               for share in shares]
    start = time.monotonic()
    for client in clients:
        client.start()
    killed = redis_restarted = False
    next_cron = start + options.cron_seconds
    received: list[Tally] = []
    while len(received) < len(clients) and time.monotonic() - start < options.max_seconds + 90:
        time.sleep(0.1)
        while not tallies.empty() and len(received) < len(clients):
            received.append(tallies.get())
        progress = done.value
        if not killed and progress >= options.citizens / 3:
            killed = True
            event(f"{progress} citizens done: SIGKILL job worker pid {processes.kill_job_worker(0)}")
            event(f"SIGKILL gunicorn worker pid {processes.kill_web_worker()} (its master starts another)")
            time.sleep(1)
            event(f"job worker started again, pid {processes.start_job_worker(0)}")
        if killed and not redis_restarted and progress >= 2 * options.citizens / 3:
            redis_restarted = True
            event(f"{progress} citizens done: Redis stopped (every job and counter in it lost)")
            redis_server.stop()
            time.sleep(2)
            redis_server.start()
            event("Redis started again, empty")
        for index, code in processes.exited_job_workers():
            event(f"job worker {index} exited by itself with code {code}: started again, as a supervisor would")
            processes.start_job_worker(index)
        if time.monotonic() >= next_cron:
            next_cron = time.monotonic() + options.cron_seconds
            processes.outbox_retry()
    for client in clients:
        client.join(timeout=30)
    report.load_seconds = time.monotonic() - start
    for tally in received:
        report.tally.merge(tally)
    event(f"load over: {done.value} citizens in {report.load_seconds:.1f} s")


def _settle(options: Options, processes: Processes, fake: FakeBotApi, report: Report, event, last_citizen: float) -> None:
    """Wait for a snapshot with every completed response and for the Telegram replies, bounded in time."""
    from sqlalchemy import func, select

    from models import Consultation, Conversation, OutboundMessage, ProfileSnapshot
    from palabre.db import Database

    database = Database(options.database_url)
    telegram_citizens = len(range(CHANNELS.index("telegram"), options.citizens, len(CHANNELS)))
    processes.outbox_retry()
    next_cron = time.monotonic() + options.cron_seconds
    next_note = time.monotonic() + 15
    try:
        while time.monotonic() - last_citizen < options.settle_seconds:
            with database.session() as session:
                consultation_id = session.scalar(select(Consultation.id).where(Consultation.slug == SLUG))
                completed = session.scalar(select(func.count()).select_from(Conversation).where(
                    Conversation.consultation_id == consultation_id, Conversation.status == "completed"))
                latest = session.scalar(select(ProfileSnapshot.responses).where(ProfileSnapshot.consultation_id == consultation_id)
                                        .order_by(ProfileSnapshot.computed_at.desc(), ProfileSnapshot.id.desc()).limit(1))
                waiting = session.scalar(select(func.count()).select_from(OutboundMessage).where(
                    OutboundMessage.channel == "telegram", OutboundMessage.status == OutboundMessage.QUEUED))
            report.snapshot_responses = latest
            if time.monotonic() >= next_note:
                next_note += 15
                event(f"waiting: latest snapshot {latest} of {completed} responses, {waiting} Telegram replies queued, "
                      f"{len(fake.ended)} of {telegram_citizens} chats have their end message")
            if report.snapshot_seconds is None and latest is not None and latest >= completed:
                report.snapshot_seconds = time.monotonic() - last_citizen
                event(f"profile snapshot includes all {latest} completed responses")
            if report.snapshot_seconds is not None and (len(fake.ended) >= telegram_citizens or not waiting):
                break
            for index, code in processes.exited_job_workers():
                event(f"job worker {index} exited by itself with code {code}: started again")
                processes.start_job_worker(index)
            if time.monotonic() >= next_cron:
                next_cron = time.monotonic() + options.cron_seconds
                processes.outbox_retry()
            time.sleep(0.5)
        event(f"settled: Telegram end messages received for {len(fake.ended)} of {telegram_citizens} chats")
    finally:
        database.dispose()


def _check(database_url: str, report: Report) -> None:
    """Count conversations by channel and status, and every answer against the scripts' expected values."""
    from sqlalchemy import Text, cast, func, select

    from models import Answer, Conversation, OutboundMessage
    from palabre.db import Database

    database = Database(database_url)
    try:
        with database.session() as session:
            for channel, status, count in session.execute(select(Conversation.channel, Conversation.status, func.count())
                                                          .group_by(Conversation.channel, Conversation.status)):
                report.conversations.setdefault(channel, {})[status] = count
            groups = session.execute(
                select(Conversation.channel, Answer.question_id, cast(Answer.value, Text), Answer.valid, func.count())
                .join(Conversation, Conversation.id == Answer.conversation_id)
                .group_by(Conversation.channel, Answer.question_id, cast(Answer.value, Text), Answer.valid)).all()
            # Read once every process has stopped: a reply still 'sending' is one a killed worker held.
            report.outbound = dict(session.execute(select(OutboundMessage.status, func.count())
                                                   .where(OutboundMessage.channel == "telegram")
                                                   .group_by(OutboundMessage.status)).all())
            rows, distinct = session.execute(select(func.count(), func.count(func.distinct(
                cast(Answer.conversation_id, Text) + ":" + Answer.question_id))).select_from(Answer)).one()
    finally:
        database.dispose()
    report.answers_stored, report.duplicates = rows, rows - distinct
    per_channel = {channel: len(range(CHANNELS.index(channel), report.citizens, len(CHANNELS))) for channel in CHANNELS}
    report.answers_expected = sum(len(EXPECTED[channel]) * per_channel[channel] for channel in CHANNELS)
    wanted = {(channel, question, json.dumps(value)): per_channel[channel]
              for channel in CHANNELS for question, value in EXPECTED[channel].items()}
    seen = {}
    for channel, question, value, valid, count in groups:
        key = (channel, question, json.dumps(json.loads(value)) if value is not None else "null")
        if not valid:
            report.answer_mismatches.append(f"{count} answers to {question} on {channel} not understood: {value}")
        seen[key] = seen.get(key, 0) + count
    for key in sorted(set(wanted) | set(seen)):
        if wanted.get(key, 0) != seen.get(key, 0):
            report.answer_mismatches.append(f"{key[0]} {key[1]}={key[2]}: {seen.get(key, 0)} stored, {wanted.get(key, 0)} expected")


def print_report(report: Report, options: Options) -> None:
    print(f"\nconversations completed: {report.completed} of {report.citizens}")
    for channel in CHANNELS:
        statuses = report.conversations.get(channel, {})
        print(f"  {channel:<9} {', '.join(f'{s} {n}' for s, n in sorted(statuses.items())) or 'none'}"
              f"  (end message seen by the citizen: "
              f"{report.telegram_ended if channel == 'telegram' else report.tally.completed[channel]})")
    print(f"answers stored: {report.answers_stored}, expected {report.answers_expected}; duplicated: {report.duplicates}; "
          f"groups differing from the scripts: {len(report.answer_mismatches)}")
    for line in report.answer_mismatches[:20]:
        print(f"  {line}")
    statuses = ", ".join(f"{status or 'no answer'}: {count}" for status, count in sorted(report.tally.statuses.items()))
    print(f"HTTP statuses: {statuses}; 5xx: {report.server_errors}; resent: {report.tally.resent}; gave up: {report.tally.gave_up}")
    requests = sum(len(v) for v in report.tally.latencies.values())
    print(f"webhook calls answered 200: {requests} in {report.load_seconds:.1f} s ({requests / max(report.load_seconds, 1e-9):.0f}/s)")
    print(f"{'channel':<10}{'calls':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for channel in CHANNELS:
        latencies = sorted(report.tally.latencies[channel])
        if latencies:
            print(f"{channel:<10}{len(latencies):>8}{_percentile(latencies, 0.5) * 1000:>9.1f}"
                  f"{_percentile(latencies, 0.99) * 1000:>9.1f}{latencies[-1] * 1000:>9.1f}")
    replies = sorted(report.tally.reply_latencies)
    if replies:
        print(f"{'telegram reply':<10}{len(replies):>8}{_percentile(replies, 0.5) * 1000:>9.1f}"
              f"{_percentile(replies, 0.99) * 1000:>9.1f}{replies[-1] * 1000:>9.1f}  (webhook call to the reply at the "
              f"Bot API; {report.tally.replies_missed} not there after {options.reply_wait:g} s)")
    snapshot = f"{report.snapshot_seconds:.1f} s after the last citizen" if report.snapshot_seconds is not None else "never"
    print(f"profile snapshot with every response: {snapshot} (latest snapshot: {report.snapshot_responses} responses)")
    print(f"Telegram replies by status: {report.outbound}; Twilio REST calls: {report.unexpected_api_calls}")
    print(f"tracebacks in the processes' logs: {report.tracebacks} ({report.logs})")
    print("events:")
    for at, what in report.events:
        print(f"  {at:7.1f} s  {what}")


def _percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


class RedisServer:
    """A redis-server of the soak's own, without persistence: stopping it loses everything, as a crash would."""

    def __init__(self, port: int, logs: Path):
        self.port, self.logs, self.process = port, logs, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        log = open(self.logs / "redis.log", "a")
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no"], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"redis-server did not start on port {self.port} (in use?): see {self.logs}/redis.log")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit(f"redis-server did not answer on port {self.port} within 10 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Processes:
    """The Procfile's web and worker processes, started directly so that the soak can kill one."""

    def __init__(self, env: dict[str, str], options: Options, logs: Path):
        self.env, self.options, self.logs = env, options, logs
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.web: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen | None] = [None] * options.job_workers
        self.cron: subprocess.Popen | None = None  # the running `outbox retry`, if any

    def _spawn(self, argv: list[str], name: str) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "a")
        return subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start(self) -> None:
        # The Procfile's web line, bound to 127.0.0.1 and given several workers (docs/deploy.md).
        self.web = self._spawn([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers",
                                str(self.options.web_workers), "--log-level", "warning", "app:create_app()"], "web")
        for index in range(self.options.job_workers):
            self.start_job_worker(index)
        _wait_until_up(self.port, self.web)

    def start_job_worker(self, index: int) -> int:
        self.workers[index] = self._spawn([sys.executable, "app.py", "worker"], f"worker-{index}")
        return self.workers[index].pid

    def kill_job_worker(self, index: int) -> int:
        worker = self.workers[index]
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        return worker.pid

    def kill_web_worker(self) -> int | None:
        children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children").read_text().split()
        if not children:
            return None
        os.kill(int(children[0]), signal.SIGKILL)
        return int(children[0])

    def exited_job_workers(self) -> list[tuple[int, int]]:
        return [(index, worker.returncode) for index, worker in enumerate(self.workers)
                if worker is not None and worker.poll() is not None and worker.returncode != -signal.SIGKILL]

    def outbox_retry(self) -> None:
        """What cron does every minute (README): hand again to the workers what Redis lost; one at a time."""
        if self.cron is not None and self.cron.poll() is None:
            return
        self.cron = self._spawn([sys.executable, "app.py", "outbox", "retry"], "cron")

    def stop(self) -> None:
        for process in [self.web, *self.workers, self.cron]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [self.web, *self.workers, self.cron]:
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def _environment(options: Options, redis_url: str, fake: FakeBotApi, logs: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TWILIO_", "TELEGRAM_", "USSD_"))}
    env.update(DATABASE_URL=options.database_url, REDIS_URL=redis_url, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
               TWILIO_ACCOUNT_SID="AC" + "b" * 32, TWILIO_FROM_NUMBER="+22507000000",
               TWILIO_API_URL=f"{fake.base_url}/twilio", USSD_SHARED_SECRET=USSD_SECRET, TELEGRAM_BOT_TOKEN=BOT_TOKEN,
               TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET, TELEGRAM_API_URL=fake.api_url,
               PSEUDONYM_KEY="soak-pseudonym-key", SECRET_KEY="soak-secret", INSTANCE_DIR=str(logs / "instance"),
               LOG_LEVEL="WARNING", LOG_FORMAT="text", PYTHONPATH=str(ROOT))
    env.pop("PUBLIC_BASE_URL", None)  # requests are signed for the URL they are sent to
    return env


def _prepare(database_url: str, env: dict[str, str]):
    """Create, migrate, lock and empty the soak's database (flows stay loaded); return the lock's connection."""
    import psycopg
    from psycopg import sql

    name = psycopg.conninfo.conninfo_to_dict(database_url)["dbname"]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    subprocess.run([sys.executable, "app.py", "init"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    lock = psycopg.connect(database_url, autocommit=True)
    if not lock.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_LOCK,)).fetchone()[0]:
        raise SystemExit(f"another soak is running on {name}: two would empty each other's tables")
    lock.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
    return lock


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped with code {server.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    defaults = Options()
    parser.add_argument("--citizens", type=int, default=defaults.citizens)
    parser.add_argument("--web-workers", type=int, default=defaults.web_workers, help="gunicorn worker processes")
    parser.add_argument("--job-workers", type=int, default=defaults.job_workers, help="`python app.py worker` processes")
    parser.add_argument("--clients", type=int, default=defaults.clients, help="load-generating processes")
    parser.add_argument("--threads", type=int, default=defaults.threads, help="citizens talking at once, per client process")
    parser.add_argument("--redis-port", type=int, default=defaults.redis_port, help="port of the soak's own redis-server")
    parser.add_argument("--max-seconds", type=float, default=defaults.max_seconds, help="bound on the load phase")
    parser.add_argument("--settle-seconds", type=float, default=defaults.settle_seconds,
                        help="bound on the wait for the snapshot and replies after the load")
    parser.add_argument("--telegram-reply-wait", type=float, default=defaults.reply_wait,
                        help="seconds a Telegram citizen waits for its reply before answering anyway (0: no wait)")
    parser.add_argument("--cron-seconds", type=float, default=defaults.cron_seconds, help="period of `outbox retry`")
    args = parser.parse_args()
    options = Options(citizens=args.citizens, web_workers=args.web_workers, job_workers=args.job_workers,
                      clients=args.clients, threads=args.threads, redis_port=args.redis_port, max_seconds=args.max_seconds,
                      settle_seconds=args.settle_seconds, cron_seconds=args.cron_seconds, reply_wait=args.telegram_reply_wait)
    print(f"Palabre soak: {options.citizens} citizens over {', '.join(CHANNELS)} ({len(SCRIPTS['sms'])} messages each), "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    report = run(options)
    print_report(report, options)
    problems = report.failures()
    print("\nall checks hold" if not problems else "\nFAILED: " + "; ".join(problems))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
