"""`python app.py worker`: run the jobs, listening to every queue Palabre uses, with RQ's scheduler."""

from __future__ import annotations

import logging
import time

import click
from flask import Flask

from palabre.extensions import config
from workers.queue import Queues

log = logging.getLogger(__name__)

# After Redis went away (a restart, a failover), try again after 1 s, then 2, 4... at most 30 s apart.
RECONNECT_FIRST_SECONDS = 1.0
RECONNECT_MAX_SECONDS = 30.0


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
        from rq import Queue, SimpleWorker

        # No socket timeout here, unlike the web's connection: a worker blocks on Redis while it waits for jobs.
        connection = redis.Redis.from_url(url)
        queues = [Queue(name, connection=connection) for name in Queues.ALL]
        delay = RECONNECT_FIRST_SECONDS
        while True:
            try:
                # SimpleWorker runs each job in this process, inside this app: forking a child per job
                # built the app and a database connection again for every message (about 1 s each).
                worker = SimpleWorker(queues, connection=connection)
                # The scheduler moves retries with a backoff and paced broadcast sends onto their queue when due.
                worker.work(with_scheduler=True, burst=burst)
                return
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
                # RQ gives up when Redis restarts under a running job; the job's message is in the database
                # and `outbox retry` queues it again. Under honcho one process exiting stops them all.
                if burst:
                    raise click.ClickException(f"Redis is unreachable ({type(exc).__name__})") from None
                log.warning("worker lost Redis (%s); starting again in %g s", type(exc).__name__, delay)
                time.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)
