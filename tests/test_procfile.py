"""The Procfile, run as docs/deploy.md says: `honcho start web worker` serves pages and consumes every queue."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import redis
from rq import Worker

from palabre.config import ROOT
from workers.queue import Queues

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
HONCHO = Path(sys.executable).with_name("honcho")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(tmp_path: Path, port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TWILIO_", "TELEGRAM_"))}
    env.update(
        DATABASE_URL=os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path}/procfile.db",
        REDIS_URL=TEST_REDIS_URL, INSTANCE_DIR=str(tmp_path / "instance"), PORT=str(port),
        PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
    )
    return env


def _wait_for(url: str, seconds: float) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _workers() -> list[Worker]:
    return Worker.all(connection=redis.Redis.from_url(TEST_REDIS_URL))


def test_honcho_starts_the_web_and_a_worker_on_every_queue(tmp_path):
    port = _free_port()
    env = _environment(tmp_path, port)
    before = {worker.name for worker in _workers()}
    subprocess.run([sys.executable, "app.py", "init"], cwd=ROOT, env=env, check=True, capture_output=True)
    honcho = subprocess.Popen([str(HONCHO), "start", "--port", str(port), "web", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert b'"database"' in _wait_for(f"http://127.0.0.1:{port}/healthz", 60)
        deadline = time.monotonic() + 30
        while not (started := [w for w in _workers() if w.name not in before]) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert len(started) == 1, "the Procfile's worker registered with Redis"
        assert started[0].queue_names() == list(Queues.ALL), "it consumes sends and profile refreshes, not only 'default'"
    finally:
        os.killpg(honcho.pid, signal.SIGTERM)
        output = honcho.communicate(timeout=30)[0].decode(errors="replace")
    assert "Traceback" not in output, output
    assert {w.name for w in _workers()} <= before, "a stopped worker leaves no registration behind"
