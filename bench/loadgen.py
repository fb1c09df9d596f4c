"""The load generator of bench/webhooks.py: simulated citizens over HTTP, run in processes of their own.

Each citizen goes through a whole conversation, one message after the other (a citizen waits
for the answer before replying). `max` keeps `concurrency` citizens busy per process as fast as
the server answers; `rate` sends at a fixed number of messages per second, and measures each
latency from the moment the message was due, so a server falling behind shows in the figures.
"""

from __future__ import annotations

import http.client
import itertools
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

# The shipped consultation (flows/library/access_barriers.yaml), answered in French.
SMS_SCRIPT = ["AVIS", "1", "oui", "nord", "femme", "34", "1", "45", "1", "1", "2", "1", "4", "2", "PASSER"]
USSD_SCRIPT = ["", "1", "1", "1", "1", "34", "1", "45", "1", "1", "2", "1", "4", "2", "0"]
# A call: the first request has no keys; the free-text comment is passed over on voice.
VOICE_SCRIPT = ["", "1", "1", "2", "1", "34", "1", "45", "1", "1", "2", "1", "14", "2"]
# The mixed load (issue #14): 20 messages a citizen over SMS. A first contact, two answers the engine rejects
# (a district it does not know, an age out of bounds: each re-prompted), a completion, then a new
# conversation started by the same keyword after the completed one, left under way (declining would end it).
MIXED_SCRIPT = ["AVIS", "1", "oui", "lune", "nord", "femme", "250", "34", "1", "45", "1", "1", "2", "1", "4", "2",
                "PASSER", "AVIS", "1", "oui"]
SCRIPTS = {"sms": SMS_SCRIPT, "ussd": USSD_SCRIPT, "voice": VOICE_SCRIPT, "mixed": MIXED_SCRIPT}
SMS_DONE, USSD_DONE = "Merci !", "END Merci"
DONE = {"sms": SMS_DONE, "ussd": USSD_DONE, "voice": SMS_DONE, "mixed": SMS_DONE}
_SEQUENCE = itertools.count()  # MessageSids unique across the threads of a process (with its pid, across processes)


@dataclass(frozen=True)
class Spec:
    """What one load process does."""

    port: int
    kind: str  # sms, ussd, voice, mixed (SMS)
    mode: str  # max, rate
    seconds: float  # the phase's length; with `citizens`, only a bound
    concurrency: int  # citizens talking at once
    rate: float = 0.0  # messages per second (mode 'rate')
    first_citizen: int = 0  # numbers are drawn from here on: processes never share a citizen
    public_base_url: str = ""  # what Twilio would sign
    auth_token: str = ""
    ussd_secret: str = ""
    check_completion: bool = True  # False for the ceiling, whose answers are constant
    citizens: int = 0  # > 0: exactly this many citizens, each through their whole script, then stop


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered message
    errors: int = 0
    completed: int = 0  # conversations that reached the end message
    elapsed: float = 0.0


def drive(spec: Spec, results) -> None:
    """Run one load process and put its Result on the `results` queue."""
    result = Result()
    lock = threading.Lock()
    if spec.citizens:
        citizens = iter(range(spec.first_citizen, spec.first_citizen + spec.citizens))
    else:
        citizens = itertools.count(spec.first_citizen)
    deadline = time.perf_counter() + spec.seconds
    slots: queue.Queue[float] | None = queue.Queue() if spec.mode == "rate" else None
    started = time.perf_counter()
    threads = [threading.Thread(target=_citizen_loop, args=(spec, citizens, deadline, slots, result, lock), daemon=True)
               for _ in range(spec.concurrency)]
    for thread in threads:
        thread.start()
    if slots is not None:
        _tick(spec.rate, deadline, slots)
    for thread in threads:
        thread.join(timeout=spec.seconds + 30)
    result.elapsed = time.perf_counter() - started
    results.put(result)


def _tick(rate: float, deadline: float, slots: queue.Queue) -> None:
    """Release one send slot every 1/rate seconds until the deadline (then wake every thread)."""
    start = time.perf_counter()
    for n in itertools.count():
        due = start + n / rate
        if due >= deadline:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        slots.put(due)
    for _ in range(1000):
        slots.put(-1.0)


def _citizen_loop(spec: Spec, citizens, deadline: float, slots, result: Result, lock: threading.Lock) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", spec.port, timeout=30)
    while time.perf_counter() < deadline:
        with lock:
            number = next(citizens, None)
        if number is None:
            return
        phone = f"+225079{number:07d}"  # Côte d'Ivoire mobile numbers in a block no operator has assigned
        script = SCRIPTS[spec.kind]
        answered = ""
        for step in range(len(script)):
            due = slots.get() if slots is not None else time.perf_counter()
            if due < 0 or time.perf_counter() >= deadline:
                return
            path, form, headers = _request(spec, phone, script, step, f"{os.getpid()}{next(_SEQUENCE):012d}")
            sent = time.perf_counter()
            try:
                connection.request("POST", path, urlencode(form), headers)
                response = connection.getresponse()
                answered = response.read().decode("utf-8", "replace")
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            latency = time.perf_counter() - (due if slots is not None else sent)
            with lock:
                if ok:
                    result.latencies.append(latency)
                else:
                    result.errors += 1
                if spec.kind == "mixed" and spec.check_completion and SMS_DONE in answered:
                    result.completed += 1  # the mixed script completes in its middle
        if spec.kind != "mixed" and spec.check_completion and DONE[spec.kind] in answered:
            with lock:
                result.completed += 1


def _request(spec: Spec, phone: str, script: list[str], step: int, unique: str) -> tuple[str, dict, dict]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if spec.kind in ("sms", "mixed"):
        form = {"MessageSid": f"SM{unique:0>32}"[:34], "AccountSid": "AC" + "b" * 32, "From": phone, "To": "+22507000000",
                "Body": script[step], "NumSegments": "1", "NumMedia": "0", "ApiVersion": "2010-04-01"}
        path = "/sms/twilio"
        headers["X-Twilio-Signature"] = RequestValidator(spec.auth_token).compute_signature(spec.public_base_url + path, form)
        return path, form, headers
    if spec.kind == "voice":  # one CallSid for the whole call, each <Gather> action posting its step
        form = {"CallSid": f"CA{phone[1:]:0>32}", "AccountSid": "AC" + "b" * 32, "From": phone, "To": "+22507000000",
                "Direction": "inbound", "CallStatus": "in-progress" if step else "ringing", "ApiVersion": "2010-04-01"}
        if step:
            form["Digits"] = script[step]
        path = f"/voice/twilio?step={step}" if step else "/voice/twilio"
        headers["X-Twilio-Signature"] = RequestValidator(spec.auth_token).compute_signature(spec.public_base_url + path, form)
        return path, form, headers
    form = {"sessionId": f"ATUid_{phone[1:]}", "serviceCode": "*384*123#", "phoneNumber": phone, "networkCode": "99999",
            "text": "*".join(script[1:step + 1])}
    headers["X-Ussd-Secret"] = spec.ussd_secret
    return "/ussd/africastalking", form, headers
