"""The README's first command: `python app.py demo` simulates, then serves the web app."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from palabre.config import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_serves_the_web_app_after_the_simulation(tmp_path):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/demo.db", "INSTANCE_DIR": str(tmp_path / "instance")}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "app.py", "demo", "--citizens", "12", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    health = json.load(response)
                break
            except OSError:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "the demo never started serving"
                time.sleep(0.3)
        assert health["status"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            assert "access-barriers" in response.read().decode()
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "12 citizens sent" in output
    assert "+225" not in output, "the demo must not print phone numbers"
