"""Hubtel (Ghana) programmable services over USSD: a JSON POST per screen, answered in JSON.

Facts this module depends on (Hubtel's "API Reference - Prog Services"):
- the request carries `Type` ("Initiation", "Response", "Release", "Timeout"; any case),
  `SessionId`, `Mobile` ("233246912184", no '+'), `Message`, `ServiceCode`, `Operator`,
  `ClientState`, `Sequence` (1 on the dial, then one more per request) and `Platform`;
- `Message` holds only the latest input; on the dial it is the USSD string dialled (*713*20#);
- `ClientState` echoes, once, what our previous response set: we keep the menu page there;
- the response is JSON: `Type` "response" (wait for input) or "release" (end), `Message`,
  `Label`, `ClientState`, `DataType` ("input" or "display") and `FieldType`;
- "Timeout" means Hubtel stopped waiting for us: whatever we answer is ignored;
- Hubtel's own SDK (hubtel/programmable-services-sdk-dotnet, ProgrammableServiceActionType) sends
  two more: "Favorite", "a special case of Initiation" where the user skips the steps a service
  marked `PersistAsFavoriteStep` (we mark none, so it is a dial: what it carries is no answer),
  and "Query", "an API request to query for some data from your service", outside any citizen's
  session (answered with a short release, nothing recorded);
- `Label` is a title the Hubtel app and web show above the message (40 characters here).
"""

from __future__ import annotations

from flask import Request, Response, jsonify

from bots.ussd_dialects import BadUssdRequest, UssdRequest, clean_input, international, required, session_id
from bots.ussd_screen import Screen

NAME = "hubtel"
KINDS = frozenset({"initiation", "response", "release", "timeout", "favorite", "query"})
LABEL_CHARS = 40
ELLIPSIS = "..."
MAX_SEQUENCE = 10_000  # a USSD session lasts minutes: no real session gets near this


def parse(request: Request) -> UssdRequest:
    """The neutral request behind a Hubtel push request."""
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise BadUssdRequest("the body must be a JSON object")
    sid = session_id(body.get("SessionId"), "SessionId")
    kind = required(body.get("Type"), "Type").lower()
    if kind not in KINDS:
        raise BadUssdRequest(f"unknown Type {kind[:20]!r}")
    if kind == "query":  # a lookup by Hubtel's API: no citizen, no session to keep
        return UssdRequest(dialect=NAME, session_id=sid, phone="", inputs=((0, ""),), query=True)
    phone = international(required(body.get("Mobile"), "Mobile"))
    if kind in ("release", "timeout"):  # nothing to answer or record: the session is over
        return UssdRequest(dialect=NAME, session_id=sid, phone=phone, inputs=((0, ""),), closing=True)
    try:
        sequence = int(required(body.get("Sequence"), "Sequence"))
    except ValueError:
        raise BadUssdRequest("field Sequence must be a number") from None
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise BadUssdRequest("field Sequence is out of range")
    message = body.get("Message")
    message = clean_input(message) if isinstance(message, str) else ""
    if kind in ("initiation", "favorite"):
        return UssdRequest(dialect=NAME, session_id=sid, phone=phone, inputs=((0, ""),), new=True)
    return UssdRequest(
        dialect=NAME, session_id=sid, phone=phone, inputs=((sequence - 1, message),),
        page=_page(body.get("ClientState")),
    )


def respond(screen: Screen, request: UssdRequest) -> Response:
    """Hubtel's response object: 'response' and an input field while the conversation goes on, else 'release'."""
    return jsonify({
        "SessionId": request.session_id,
        "Type": "release" if screen.end else "response",
        "Message": screen.text,
        "Label": label(screen.text),
        "ClientState": "" if screen.end else f"page:{screen.page}",
        "DataType": "display" if screen.end else "input",
        "FieldType": "text",
    })


def label(text: str) -> str:
    """The screen's first line as a title of at most 40 characters, cut after a whole word."""
    line = text.split("\n", 1)[0].strip()
    if len(line) <= LABEL_CHARS:
        return line
    room = LABEL_CHARS - len(ELLIPSIS)
    head = line[:room + 1]  # one more: a space just after the room means the last word fits whole
    cut = head.rsplit(" ", 1)[0].rstrip(" ,;:") if " " in head else ""
    return (cut or line[:room]) + ELLIPSIS


def _page(state: object) -> int:
    """The page our previous response kept in ClientState ('page:2'); 0 for anything else."""
    if isinstance(state, str) and state.startswith("page:") and state[5:].isdigit() and len(state) < 12:
        return int(state[5:])
    return 0
