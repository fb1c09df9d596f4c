"""The simulator: the same conversation rendered for SMS, USSD and Telegram, without touching real data."""

from __future__ import annotations

from sqlalchemy import func, select

from models import Answer, Conversation, Participant
from tests.dashboard.conftest import csrf_from

URL = "/dashboard/access-barriers/simulator/?lang=en"


def send(client, text: str) -> str:
    page = client.get(URL)
    return client.post(URL, data={"text": text, "csrf_token": csrf_from(page.data)}).data.decode()


def test_three_renderings_side_by_side_and_nothing_stored(analyst, db):
    first = analyst.get(URL).data.decode()
    assert "CON " in first and "Langue / Language?" in first and "GSM-7" in first
    page = send(analyst, "2")
    assert "Your answers stay anonymous" in page and 'value="1">Yes</button>' in page
    page = send(analyst, "yes")
    assert "Which district do you live in?" in page and "5 West" in page
    with db.session() as session:
        for model in (Participant, Conversation, Answer):
            assert session.scalar(select(func.count()).select_from(model)) == 0


def test_ussd_view_is_ascii_and_within_one_screen(analyst):
    send(analyst, "1")
    page = send(analyst, "oui")
    ussd = page.split('<pre class="ussd">')[1].split("</pre>")[0]
    assert len(ussd) <= 182 and ussd.startswith("CON ")
    assert "Dans quel quartier" in ussd


def test_restart_begins_again(analyst):
    send(analyst, "1")
    page = analyst.get(URL)
    restarted = analyst.post(URL, data={"restart": "1", "csrf_token": csrf_from(page.data)})
    assert restarted.status_code == 302
    assert "Langue / Language?" in analyst.get(URL).data.decode()
