"""Queue names and job ids of one test's own, in the test's process and in the `rq worker` processes it starts.

Run as a script (`python rq_test_names.py worker --burst --with-scheduler ...`) it is rq's own command line, with
the names of the test whose tag is in PALABRE_TEST_QUEUE_TAG: the jobs such a worker runs queue further
jobs (a broadcast's sends) where the test looks for them.
"""

from __future__ import annotations

import os
import sys

TAG_VARIABLE = "PALABRE_TEST_QUEUE_TAG"


def tagged_names(tag: str) -> list[tuple[object, str, object]]:
    """(module or class, attribute, value) for every queue name and job-id prefix, made this tag's own."""
    from workers import aggregate, broadcast, send
    from workers.queue import Queues

    queues = [(Queues, name, f"{getattr(Queues, name)}-test-{tag}") for name in ("SEND", "AGGREGATE", "DEFAULT")]
    return [
        *queues,
        (Queues, "ALL", tuple(value for _queues, _name, value in queues)),
        # RQ keeps a job's hash under its id alone, whatever the queue, and two runs sharing a
        # database number their messages from 1 alike (under `pytest -n 2`, the other params of
        # the same test): one run's `send-1` overwrote or deleted the other's.
        (send, "JOB_PREFIX", f"send-test-{tag}"),
        (broadcast, "JOB_PREFIX", f"broadcast-test-{tag}"),
        # Completions (the demo's, say) schedule profile refreshes: their coalescing key too.
        (aggregate, "JOB_PREFIX", f"aggregate-test-{tag}"),
        (aggregate, "EPOCH_KEY", f"palabre:test-{tag}:aggregate-epoch:{{}}"),
    ]


if __name__ == "__main__":
    for target, attribute, value in tagged_names(os.environ[TAG_VARIABLE]):
        setattr(target, attribute, value)
    from rq.cli import main

    sys.exit(main())
