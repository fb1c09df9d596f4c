"""`python app.py worker` outlives a Redis restart under a running job, and goes on taking jobs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis
from rq import Queue

from palabre.config import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_server(port: int, folder: Path) -> subprocess.Popen:
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    connection = redis.Redis(port=port)
    for _ in range(100):
        try:
            connection.ping()
            return server
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def _until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_survives_a_redis_restart_under_a_running_job(tmp_path):
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = _redis_server(port, tmp_path)
    env = {**os.environ, "REDIS_URL": url, "DATABASE_URL": f"sqlite:///{tmp_path}/w.db", "INSTANCE_DIR": str(tmp_path / "i")}
    worker = subprocess.Popen([sys.executable, "app.py", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        queue = Queue("default", connection=redis.Redis.from_url(url))
        job = queue.enqueue("time.sleep", 3)
        assert _until(lambda: job.get_status(refresh=True) == "started", 30), "the worker took the job"
        server.terminate()
        server.wait(10)
        time.sleep(5)  # the job ends while Redis is down: RQ cannot record it
        server = _redis_server(port, tmp_path)  # empty: what a restart without persistence leaves
        time.sleep(8)
        assert worker.poll() is None, "the worker is still running"
        marker = tmp_path / "after-restart"
        Queue("default", connection=redis.Redis.from_url(url)).enqueue("os.mkdir", str(marker))
        assert _until(marker.exists, 60), "a job queued after the restart is done"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
        server.terminate()
        server.wait(10)
    assert "Traceback" not in output or "lost Redis" in output, output
