"""What the services announce, for the jobs above them to act on (services never import jobs).

`app.py` connects the receivers; a service only sends. Receivers run after the sender's
transaction is committed, since the jobs they start read the database.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with the consultation's id when a conversation has just completed: its profile is due a refresh.
response_completed = _signals.signal("response-completed")
