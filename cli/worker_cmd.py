"""`python app.py worker`: run the jobs, listening to every queue Palabre uses, with RQ's scheduler."""

from __future__ import annotations

import click
from flask import Flask

from palabre.extensions import config
from workers.queue import Queues


def register(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop once the queues are empty (tests, one-off catch-up).")
    def worker_command(burst: bool) -> None:
        """Run an RQ worker on the send, aggregate and default queues (needs REDIS_URL)."""
        url = config().REDIS_URL
        if not url:
            raise click.ClickException("REDIS_URL is unset: jobs run inline in the web process and the CLI, "
                                       "so there is no worker to run.")
        import redis
        from rq import Queue, Worker

        # No socket timeout here, unlike the web's connection: a worker blocks on Redis while it waits for jobs.
        connection = redis.Redis.from_url(url)
        queues = [Queue(name, connection=connection) for name in Queues.ALL]
        # The scheduler moves retries with a backoff and paced broadcast sends onto their queue when due.
        Worker(queues, connection=connection).work(with_scheduler=True, burst=burst)
