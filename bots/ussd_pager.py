"""Page through a long USSD menu: '98' shows the next page of choices, '0' the previous one.

Paging is rendering state, not conversation state: a pager key never reaches the engine. Choices
keep their numbers on every page ('5 Ouest' on page 2), so an answer means the same whatever
page the citizen typed it on; only what to draw depends on the page.

A key is a pager move only when the screen on display offered it ('98' on a page with a next
one, '0' past the first page). Elsewhere '98' and '0' are answers like any other (an age of
98, zero visits), and they go to the engine.
"""

from __future__ import annotations

MORE, BACK = "98", "0"


def move(key: str, page: int, pages: int) -> int | None:
    """The page a key leads to from `page`, or None when the screen did not offer that key."""
    key = key.strip()
    if key == MORE and page + 1 < pages:
        return page + 1
    if key == BACK and page > 0:
        return page - 1
    return None


def is_pager_key(key: str) -> bool:
    """Whether a key could be a pager move on some screen."""
    return key.strip() in (MORE, BACK)


def resolve(pending: list[str], page: int, pages: int) -> tuple[int, str | None]:
    """Replay the inputs a session has not handled yet: the page they lead to, and the answer if any.

    `pending` holds the inputs typed since the last one the engine took, oldest first, and `page`
    the page shown after it. Leading pager moves turn pages; the first input that is not a move
    starts the answer, and everything from it on is that answer, rejoined with '*' (Africa's
    Talking splits a citizen's own '*' into separate inputs: see bots/ussd_dialects/africastalking.py).
    """
    for index, key in enumerate(pending):
        turned = move(key, page, pages)
        if turned is None:
            return 0, "*".join(pending[index:])
        page = turned
    return page, None
