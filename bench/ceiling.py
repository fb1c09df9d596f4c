"""The ceiling of the webhook benchmark: a bare Flask endpoint answering constant TwiML, nothing else."""

from __future__ import annotations

from flask import Flask, Response

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Merci !</Message></Response>'

app = Flask(__name__)


@app.post("/sms/twilio")
def sms() -> Response:
    """Answer like the real webhook would, without reading, checking or storing anything."""
    return Response(TWIML, mimetype="application/xml")
