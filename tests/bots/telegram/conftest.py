"""Fixtures for the Telegram channel: a fake Bot API on localhost, and a citizen posting real updates."""

from __future__ import annotations

import pytest

from fakes.fake_telegram import FakeTelegram
from fakes.telegram_updates import SECRET, TOKEN, Citizen


@pytest.fixture
def fake_telegram():
    """A fake Bot API on 127.0.0.1, for the life of one test."""
    with FakeTelegram(TOKEN) as fake:
        yield fake


@pytest.fixture
def settings(settings, fake_telegram):
    """The test settings with the bot configured and its API faked."""
    return settings.replace(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_WEBHOOK_SECRET=SECRET, TELEGRAM_API_URL=fake_telegram.api_url)


@pytest.fixture
def citizen(loaded, client, fake_telegram):
    """A French-speaking Telegram user, with the shipped consultation open."""
    return Citizen(client, fake_telegram)
