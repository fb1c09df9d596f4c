"""Place a call to our voice webhook as Twilio does: signed requests that follow the TwiML's action URLs."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from xml.etree import ElementTree

from fakes.twilio_requests import payload, post_signed

VOICE_PATH = "/voice/twilio"
_sids = itertools.count(1)


@dataclass
class Twiml:
    """A TwiML answer read as a caller hears it."""

    status: int
    root: ElementTree.Element | None

    @property
    def said(self) -> list[str]:
        """Every <Say> text (and <Play> URL) in order, inside <Gather> or not."""
        return [(node.text or "") for node in self.root.iter() if node.tag in ("Say", "Play")] if self.root is not None else []

    @property
    def text(self) -> str:
        return " ".join(self.said)

    @property
    def gather(self) -> ElementTree.Element | None:
        return self.root.find("Gather") if self.root is not None else None

    @property
    def hung_up(self) -> bool:
        return self.root is not None and self.root.find("Hangup") is not None

    @property
    def rejected(self) -> str | None:
        node = self.root.find("Reject") if self.root is not None else None
        return None if node is None else node.get("reason")


class Call:
    """One call: `answer()` is Twilio's first request, `press("13")` posts the keys to the pending action."""

    def __init__(self, client, phone: str, direction: str = "inbound", sid: str | None = None, our_number: str = "+447700900999"):
        self.client, self.phone, self.direction = client, phone, direction
        self.sid = sid or f"CA{next(_sids):032d}"
        self.our_number = our_number
        self.action: str | None = None
        self.last: Twiml | None = None

    def _form(self, **fields: str) -> dict[str, str]:
        ends = {"From": self.phone, "To": self.our_number} if self.direction == "inbound" else {"From": self.our_number, "To": self.phone}
        return payload("voice_call", CallSid=self.sid, Direction=self.direction, Caller=ends["From"], Called=ends["To"],
                       **ends, **fields)

    def post(self, path: str, form: dict[str, str]) -> Twiml:
        response = post_signed(self.client, path, form)
        root = ElementTree.fromstring(response.data) if response.status_code == 200 else None
        self.last = Twiml(response.status_code, root)
        if self.last.gather is not None:
            self.action = self.last.gather.get("action")
        return self.last

    def answer(self) -> Twiml:
        """The call comes in (or, for a call we placed, is picked up)."""
        return self.post(VOICE_PATH, self._form(CallStatus="ringing" if self.direction == "inbound" else "in-progress"))

    def press(self, digits: str, action: str | None = None) -> Twiml:
        """Press keys at the pending <Gather> (the # that ends them is not in Digits, as with Twilio)."""
        path = action or self.action
        assert path, "no <Gather> is waiting for keys"
        return self.post(path, self._form(CallStatus="in-progress", Digits=digits, FinishedOnKey="#" if len(digits) > 1 else "",
                                          msg="Gather End"))
