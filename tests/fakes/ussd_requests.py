"""Build the requests USSD gateways send us (Africa's Talking forms, Hubtel JSON) and read our answers."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from models import Answer

DATA = Path(__file__).resolve().parent.parent / "data"
SECRET = "test-ussd-secret"
AT_PATH = "/ussd/africastalking"
HUBTEL_PATH = "/ussd/hubtel"
_session_ids = itertools.count(1)


def ussd_settings(settings, **changes):
    """Test settings with the USSD webhooks opened by shared secret (and any other change)."""
    return settings.replace(**{"USSD_SHARED_SECRET": SECRET, **changes})


def at_payload(**fields: str | None) -> dict[str, str]:
    """The documented Africa's Talking callback form with some fields replaced (None removes one)."""
    form = {k: v for k, v in json.loads((DATA / "africastalking" / "callback.json").read_text()).items() if not k.startswith("_")}
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}


def hubtel_payload(name: str, **fields: object) -> dict[str, object]:
    """A documented Hubtel push request (tests/data/hubtel/<name>.json) with some fields replaced."""
    body = {k: v for k, v in json.loads((DATA / "hubtel" / f"{name}.json").read_text()).items() if not k.startswith("_")}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


@dataclass(frozen=True)
class Reply:
    """Our answer to one USSD request."""

    status: int
    body: str

    @property
    def end(self) -> bool:
        return self.body.startswith("END ")

    @property
    def screen(self) -> str:
        return self.body[4:] if self.body.startswith(("CON ", "END ")) else self.body


def post_at(client, form: dict[str, str], secret: str | None = SECRET, **kwargs) -> Reply:
    """POST an Africa's Talking callback form, with the shared secret in the URL unless told otherwise."""
    url = AT_PATH + (f"?secret={secret}" if secret is not None else "")
    response = client.post(url, data=form, **kwargs)
    return Reply(response.status_code, response.get_data(as_text=True))


class AtSession:
    """One Africa's Talking USSD session: each request repeats every input so far, joined by '*'."""

    def __init__(self, client, phone: str = "+447700900101", session_id: str | None = None):
        self.client, self.phone = client, phone
        self.session_id = session_id or f"ATUid_test{next(_session_ids):06d}"
        self.inputs: list[str] = []

    def form(self) -> dict[str, str]:
        return at_payload(sessionId=self.session_id, phoneNumber=self.phone, text="*".join(self.inputs))

    def dial(self) -> Reply:
        """The first request of the session: text is empty."""
        self.inputs = []
        return post_at(self.client, self.form())

    def send(self, text: str) -> Reply:
        """The citizen types one input."""
        self.inputs.append(text)
        return post_at(self.client, self.form())

    def again(self) -> Reply:
        """The gateway sends the last request once more (a retry)."""
        return post_at(self.client, self.form())


def post_hubtel(client, body: dict[str, object], secret: str | None = SECRET) -> tuple[int, dict]:
    """POST a Hubtel push request; return the status and the JSON answer."""
    url = HUBTEL_PATH + (f"?secret={secret}" if secret is not None else "")
    response = client.post(url, json=body)
    return response.status_code, (response.get_json(silent=True) or {})


def stored_answers(db) -> dict:
    """Every stored answer, by question id."""
    with db.session() as session:
        return {a.question_id: a.value for a in session.scalars(select(Answer))}


def count_rows(db, model, *where) -> int:
    """How many rows of a model (matching the conditions) are stored."""
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))
