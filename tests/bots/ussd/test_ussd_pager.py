"""The pager: '98' and '0' turn pages only where the screen offered them; everything else is an answer."""

from __future__ import annotations

import pytest

from bots.ussd_pager import move, resolve


@pytest.mark.parametrize(("key", "page", "pages", "expected"), [
    ("98", 0, 3, 1),
    ("98", 1, 3, 2),
    ("98", 2, 3, None),  # the last page offers no '98'
    ("0", 2, 3, 1),
    ("0", 0, 3, None),  # the first page offers no '0'
    ("98", 0, 1, None),  # a screen without a menu, or a one-page menu: '98' is an answer
    (" 98 ", 0, 2, 1),
    ("980", 0, 2, None),
])
def test_a_key_turns_the_page_only_when_the_screen_offered_it(key, page, pages, expected):
    assert move(key, page, pages) == expected


@pytest.mark.parametrize(("pending", "page", "pages", "expected"), [
    (["98"], 0, 3, (1, None)),
    (["98", "98", "0"], 0, 3, (1, None)),
    (["98", "7"], 0, 3, (0, "7")),  # the answer after paging: choices keep their numbers
    (["98"], 0, 1, (0, "98")),  # an age of 98
    (["0"], 0, 1, (0, "0")),  # zero visits
    (["0"], 1, 2, (0, None)),  # Hubtel echoes the page: '0' from page 1 goes back
    (["a", "b"], 0, 1, (0, "a*b")),  # a citizen's own '*', split by Africa's Talking, rejoined
    (["5", "98"], 0, 3, (0, "5*98")),  # once an answer starts, the rest belongs to it
])
def test_pending_inputs_resolve_to_a_page_or_an_answer(pending, page, pages, expected):
    assert resolve(pending, page, pages) == expected
