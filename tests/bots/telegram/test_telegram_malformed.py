"""Property: whatever a Telegram update's fields hold or lack, the webhook acknowledges it, never a 500.

Telegram resends an update until it is answered 2xx, so a 500 (or a 400) on one update would come back
forever. Each example is a real update from tests/data/telegram/ with fields replaced or removed.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator

from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from fakes.telegram_updates import load_update

NAMES = ["text", "contact", "sticker", "start_payload", "callback_query", "callback_query_inline",
         "my_chat_member_kicked", "group_message", "edited_message"]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
update_ids = itertools.count(700_000_001)


def _paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every place in a JSON document: dict keys and list indexes, parents before children."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield prefix + (key,)
        yield from _paths(child, prefix + (key,))


@st.composite
def malformed_updates(draw) -> dict:
    update = load_update(draw(st.sampled_from(NAMES)))
    for _ in range(draw(st.integers(1, 3))):
        places = [path for path in _paths(update) if path != ("update_id",)]
        if not places:  # the update's body is gone already
            break
        path = draw(st.sampled_from(places))
        *parents, last = path
        holder = update
        for key in parents:
            holder = holder[key]
        if isinstance(holder, dict) and draw(st.booleans()):
            del holder[last]
        else:
            holder[last] = draw(JSON)
    update["update_id"] = next(update_ids)  # a fresh one: a repeat would be ignored as a duplicate
    return update


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(update=malformed_updates())
def test_a_malformed_update_is_always_acknowledged(citizen, update):
    response = citizen.post(update)
    assert response.status_code == 200, (update, response.get_data(as_text=True))
