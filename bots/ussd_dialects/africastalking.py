"""Africa's Talking USSD: a form POST per screen, answered with text/plain 'CON ...' or 'END ...'.

Facts this module depends on (Africa's Talking USSD documentation):
- fields `sessionId`, `serviceCode`, `phoneNumber`, `networkCode`, `text`; `phoneNumber` is E.164
  ('+254...') in the documentation but arrives without the '+' in some markets ('254711XXXYYY');
- `text` is empty on the dial, then holds every input of the session so far joined by '*'
  ("1*3*Nord"). A citizen's own '*' cannot be told from that separator: "a*b" typed once
  arrives as two inputs. bots/ussd.py rejoins the inputs it has not handled yet, so a '*'
  inside one free-text answer survives, except when what precedes it is itself a pager key
  offered on screen ('98*...' on a paged menu), where it turns the page;
- a dial with extra digits (*384*12*3#) may carry them in `text` on the first request;
- a reply starting with anything but 'CON ' or 'END ', or an HTTP error, ends the session.
"""

from __future__ import annotations

from flask import Request, Response

from bots.ussd_dialects import BadUssdRequest, UssdRequest, clean_input, international, required, session_id
from bots.ussd_screen import Screen

NAME = "at"


def parse(request: Request) -> UssdRequest:
    """The neutral request behind an Africa's Talking callback."""
    form = request.form
    sid = session_id(form.get("sessionId"), "sessionId")
    phone = international(required(form.get("phoneNumber"), "phoneNumber"))
    if "text" not in form:  # empty on the dial, but always there
        raise BadUssdRequest("missing field text")
    text = clean_input(form["text"])
    inputs = tuple(enumerate(text.split("*"), 1)) if text else ((0, ""),)
    return UssdRequest(dialect=NAME, session_id=sid, phone=phone, inputs=inputs, new=not text)


def respond(screen: Screen, _request: UssdRequest) -> Response:
    """'CON <screen>' while the conversation goes on, 'END <screen>' when it is over."""
    body = ("END " if screen.end else "CON ") + screen.text
    return Response(body, status=200, content_type="text/plain; charset=utf-8")
