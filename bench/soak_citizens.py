"""The soak's simulated citizens: one whole conversation each, over SMS, USSD, Telegram or WhatsApp.

Citizen i talks on CHANNELS[i % 4] with an address of its own (no two share a number, so no two
are the same participant), waits for each answer before sending the next message, and resends
the very same request (same MessageSid, update_id or USSD text) after a connection error or a
5xx, as Twilio, Telegram and USSD gateways do. Each script gives different answers, so an answer
stored against the wrong conversation or channel shows in the expected values.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

CHANNELS = ("sms", "ussd", "telegram", "whatsapp")

# (what the citizen sends, in order), then what must be stored: question id -> value.
SCRIPTS = {
    "sms": ["AVIS", "1", "oui", "nord", "femme", "34", "1", "45", "1", "1", "2", "1", "4", "2", "PASSER"],
    "ussd": ["", "1", "1", "1", "1", "27", "2", "30", "2", "2", "1", "2", "4", "1", "Un marche couvert"],
    "telegram": ["/start", "Francais", "oui", "est", "homme", "52", "non", "2h", "4", "5", "4", "4", "1 3", "3",
                 "Plus de bus le samedi"],
    "whatsapp": ["AVIS", "2", "yes", "south", "man", "61", "3", "1h30", "3", "4", "3", "2", "1 2", "3", "More buses"],
}
EXPECTED = {
    "sms": {"lang": "fr", "consent": "yes", "district": "nord", "gender": "female", "age": 34, "disability": "none",
            "travel_minutes": 45, "visit_cost": "nothing", "visits_needed": 1, "wait": "month", "phone": "none",
            "helper": ["nobody"], "contact_channel": "call"},
    "ussd": {"lang": "fr", "consent": "yes", "district": "centre", "gender": "female", "age": 27, "disability": "some",
             "travel_minutes": 30, "visit_cost": "quarter_day", "visits_needed": 2, "wait": "week", "phone": "basic",
             "helper": ["nobody"], "contact_channel": "sms", "comment": "Un marche couvert"},
    "telegram": {"lang": "fr", "consent": "yes", "district": "est", "gender": "male", "age": 52, "disability": "none",
                 "travel_minutes": 120, "visit_cost": "day", "visits_needed": 5, "wait": "longer",
                 "phone": "smartphone_internet", "helper": ["family", "agent"], "contact_channel": "telegram",
                 "comment": "Plus de bus le samedi"},
    "whatsapp": {"lang": "en", "consent": "yes", "district": "sud", "gender": "male", "age": 61, "disability": "a_lot",
                 "travel_minutes": 90, "visit_cost": "half_day", "visits_needed": 4, "wait": "quarter", "phone": "basic",
                 "helper": ["family", "association"], "contact_channel": "telegram", "comment": "More buses"},
}
# The end message, as each channel renders it (Telegram's comes through the fake Bot API).
DONE = {"sms": "Merci !", "ussd": "END Merci", "whatsapp": "Thank you!", "telegram": "Merci !"}
RETRIES = 3  # resends of one request after a connection error or a 5xx
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TWILIO_NUMBER = "+22507000000"


@dataclass(frozen=True)
class Target:
    """Where and with which secrets the citizens talk."""

    port: int
    auth_token: str
    ussd_secret: str
    telegram_secret: str
    run_id: int  # keeps MessageSids and update_ids of two soaks on one database apart
    bot_api_port: int = 0  # the fake Bot API, where Telegram citizens read their replies
    reply_wait: float = 0.0  # seconds a Telegram citizen waits for a reply before answering; 0: it does not wait


@dataclass
class Tally:
    """What one client process saw, per channel."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {c: [] for c in CHANNELS})
    statuses: dict[int, int] = field(default_factory=dict)  # HTTP status -> count (0: no answer at all)
    completed: dict[str, int] = field(default_factory=lambda: {c: 0 for c in CHANNELS})  # end message seen inline
    reply_latencies: list[float] = field(default_factory=list)  # Telegram: webhook call to the reply's arrival
    replies_missed: int = 0  # Telegram replies not there after `reply_wait` (the citizen answered anyway)
    resent: int = 0
    gave_up: int = 0  # requests still failing after RETRIES resends

    def merge(self, other: Tally) -> None:
        for channel in CHANNELS:
            self.latencies[channel] += other.latencies[channel]
            self.completed[channel] += other.completed[channel]
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.resent += other.resent
        self.gave_up += other.gave_up
        self.reply_latencies += other.reply_latencies
        self.replies_missed += other.replies_missed


def phone(citizen: int) -> str:
    return f"+225079{citizen:07d}"  # Côte d'Ivoire mobile numbers in a block no operator has assigned


def telegram_user(citizen: int) -> int:
    return 6_100_000_000 + citizen


def talk(target: Target, citizens: list[int], threads: int, done, seconds: float, tallies) -> None:
    """Run these citizens, `threads` at a time, bumping `done` after each; put the Tally on `tallies`."""
    tally, lock = Tally(), threading.Lock()
    pending = iter(citizens)
    deadline = time.monotonic() + seconds

    def work() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                citizen = next(pending, None)
            if citizen is None:
                return
            connection = _converse(target, citizen, connection, tally, lock, deadline)
            with done.get_lock():
                done.value += 1

    workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=max(0.0, deadline - time.monotonic()) + 60)
    tallies.put(tally)


def _converse(target: Target, citizen: int, connection, tally: Tally, lock, deadline: float):
    channel = CHANNELS[citizen % len(CHANNELS)]
    script = SCRIPTS[channel]
    answered, replies = "", 0
    for step in range(len(script)):
        if time.monotonic() >= deadline:
            return connection
        path, body, headers = _request(target, channel, citizen, step)
        asked = time.perf_counter()
        for attempt in range(RETRIES + 1):
            sent = time.perf_counter()
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                answered = response.read().decode("utf-8", "replace")
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()  # a fresh connection next time
                connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
                status = 0
            elapsed = time.perf_counter() - sent
            with lock:
                tally.statuses[status] = tally.statuses.get(status, 0) + 1
                if status == 200:
                    tally.latencies[channel].append(elapsed)
                elif attempt < RETRIES:
                    tally.resent += 1
                else:
                    tally.gave_up += 1
            if status == 200 or 400 <= status < 500:
                break
            time.sleep(0.2 * (attempt + 1))
        if channel == "telegram" and target.reply_wait > 0:
            replies = _read_reply(target, citizen, replies, asked, tally, lock)
    if channel != "telegram" and DONE[channel] in answered:
        with lock:
            tally.completed[channel] += 1
    return connection


def _read_reply(target: Target, citizen: int, seen: int, asked: float, tally: Tally, lock) -> int:
    """Wait for a new message in this citizen's chat at the fake Bot API; return the chat's message count."""
    connection = http.client.HTTPConnection("127.0.0.1", target.bot_api_port, timeout=target.reply_wait + 30)
    try:
        connection.request("GET", f"/wait?chat={telegram_user(citizen)}&after={seen}&timeout={target.reply_wait}")
        count = json.loads(connection.getresponse().read())["count"]
    finally:
        connection.close()
    with lock:
        if count > seen:
            tally.reply_latencies.append(time.perf_counter() - asked)
        else:
            tally.replies_missed += 1
    return count


def _request(target: Target, channel: str, citizen: int, step: int) -> tuple[str, str, dict]:
    """The webhook call a provider would make for this citizen's step-th message (same on a resend)."""
    text = SCRIPTS[channel][step]
    unique = f"{target.run_id:06d}{citizen:08d}{step:02d}"
    if channel == "telegram":
        user = telegram_user(citizen)
        person = {"id": user, "is_bot": False, "first_name": "Awa", "language_code": "fr"}
        update = {"update_id": (target.run_id % 1000) * 10**8 + citizen * 100 + step,  # per run, citizen and step
                  "message": {"message_id": 1000 + step, "from": person, "chat": {"id": user, "type": "private", "first_name": "Awa"},
                              "date": int(time.time()), "text": text}}
        headers = {"Content-Type": "application/json", TELEGRAM_SECRET_HEADER: target.telegram_secret}
        return "/telegram/webhook", json.dumps(update), headers
    if channel == "ussd":
        form = {"sessionId": f"ATUid_soak_{target.run_id}_{citizen}", "serviceCode": "*384*123#", "phoneNumber": phone(citizen),
                "networkCode": "99999", "text": "*".join(SCRIPTS["ussd"][1:step + 1])}
        return "/ussd/africastalking", urlencode(form), {"Content-Type": "application/x-www-form-urlencoded",
                                                         "X-Ussd-Secret": target.ussd_secret}
    sid = f"SM{unique:0>32}"
    form = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "b" * 32, "Body": text,
            "NumSegments": "1", "NumMedia": "0", "ApiVersion": "2010-04-01", "SmsStatus": "received"}
    if channel == "whatsapp":  # Twilio's WhatsApp fields (tests/data/twilio/inbound_whatsapp.json)
        form.update({"From": f"whatsapp:{phone(citizen)}", "To": f"whatsapp:{TWILIO_NUMBER}", "WaId": phone(citizen)[1:],
                     "ProfileName": "Awa", "MessageType": "text", "ReferralNumMedia": "0"})
    else:
        form.update({"From": phone(citizen), "To": TWILIO_NUMBER})
    path = "/sms/twilio"
    signature = RequestValidator(target.auth_token).compute_signature(f"http://127.0.0.1:{target.port}{path}", form)
    return path, urlencode(form), {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
