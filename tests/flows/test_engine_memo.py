"""engine.step with a memo (one flow's replies read once) says and records exactly what it does without one."""

from __future__ import annotations

from flows import engine
from flows.loader import load_flow
from tests.flows.test_transcripts import FILES, ROOT, SECONDS_PER_MESSAGE, parse


def run(flow, settings, inputs, start, memo):
    """Every step's (state, events) of a transcript's inputs."""
    state, events = engine.start(flow, start, settings.get("language"))
    steps = [(state, events)]
    for n, text in enumerate(inputs, start=1):
        state, events = engine.step(flow, state, text, start + n * SECONDS_PER_MESSAGE, memo)
        steps.append((state, events))
    return steps


def test_every_golden_conversation_steps_the_same_through_a_shared_memo(now):
    flows, memos, compared = {}, {}, 0
    for _ in range(2):  # the second pass reads every reply from the memo
        for path in FILES:
            _, settings, inputs = parse(path.read_text(encoding="utf-8"))
            flow = flows.setdefault(settings["flow"], load_flow(ROOT / settings["flow"]))
            memo = memos.setdefault(settings["flow"], {})
            alone = run(flow, settings, inputs, now.timestamp(), None)
            assert run(flow, settings, inputs, now.timestamp(), memo) == alone, path.name
            compared += len(inputs)
    assert compared > 100 and all(memos.values())
