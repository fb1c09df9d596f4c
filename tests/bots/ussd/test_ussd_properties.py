"""Whatever an Africa's Talking request's text holds, the citizen gets a USSD screen or the gateway a 400."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes.ussd_requests import at_payload, post_at

_sessions = itertools.count(1)


@pytest.mark.parametrize("prefix", ["", "1*", "1*2*"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text("0123456789*#", max_size=12) | st.text(max_size=12))
def test_any_text_gets_an_ascii_screen_within_182_characters(loaded, client, prefix, text):
    reply = post_at(client, at_payload(sessionId=f"ATUid_prop{next(_sessions)}", phoneNumber="+447700900111",
                                       text=prefix + text))
    assert reply.status in {200, 400}, reply.body
    if reply.status == 200:
        assert reply.body.startswith(("CON ", "END ")) and len(reply.screen) <= 182
        assert reply.body.isascii(), "telcos mangle anything but ASCII"
