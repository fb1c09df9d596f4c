"""No small count can be worked out from what the pages and the API publish, by subtraction or any sum of them.

The audit collects every count published for a consultation (the API's profile and funnel, the officials'
groups table, the public page's total and channels, the home page), writes down every sum that links them
(a total is the sum of its parts, a cross's row is the sum of its cells, two pages counting the same people
agree), and solves that linear system: a hidden count is disclosed when the published counts determine it.
None under MIN_CELL may be; a part that is the only one of its total is the total itself and is exempt.
"""

from __future__ import annotations

import re
from html import unescape

import numpy as np
import pytest

from tests.dashboard.conftest import log_in

SLUG = "access-barriers"
FUNNEL = ("started", "consented", "completed", "declined", "opted_out", "in_progress", "dropped")


class Audit:
    """Published counts and the sums that link them."""

    def __init__(self) -> None:
        self.known: dict[tuple, int] = {}
        self.sums: list[tuple[tuple, list[tuple]]] = []  # (total, its parts)
        self.names: set[tuple] = set()
        self.lonely: set[tuple] = set()  # the only part of a total: the total itself, published as such

    def publish(self, key: tuple, value: int | None) -> None:
        self.names.add(key)
        if value is not None:
            assert self.known.get(key, value) == value, f"{key} published as {self.known[key]} and as {value}"
            self.known[key] = value

    def add_sum(self, total: tuple, parts: list[tuple]) -> None:
        self.names.update([total, *parts])
        self.sums.append((total, parts))
        if len(parts) == 1:
            self.lonely.add(parts[0])

    def same(self, one: tuple, other: tuple) -> None:
        """Two counts of the same people, on two pages or in two sections."""
        self.names.update([one, other])
        self.sums.append((one, [other]))

    def disclosed(self, min_cell: int) -> dict[tuple, float]:
        """Hidden parts the published counts determine, with their value, when under min_cell."""
        hidden = sorted(self.names - set(self.known), key=repr)
        index = {key: i for i, key in enumerate(hidden)}
        rows, rhs = [], []
        for total, parts in self.sums:
            row, b = np.zeros(len(hidden)), 0.0
            for key, sign in [(total, 1.0)] + [(p, -1.0) for p in parts]:
                if key in index:
                    row[index[key]] += sign
                else:
                    b -= sign * self.known[key]
            if row.any():
                rows.append(row)
                rhs.append(b)
        if not rows:
            return {}
        a, b = np.array(rows), np.array(rhs)
        solution = np.linalg.lstsq(a, b, rcond=None)[0]
        rank = np.linalg.matrix_rank(a)
        out = {}
        for key, i in index.items():
            unit = np.zeros(len(hidden))
            unit[i] = 1.0
            if key[0] == "total" or key in self.lonely:
                continue
            if np.linalg.matrix_rank(np.vstack([a, unit])) == rank and round(solution[i]) < min_cell:
                out[key] = round(float(solution[i]), 3)
        return out


def profile_counts(audit: Audit, profile: dict) -> None:
    """The API's profile: the total, each group's parts, the cross against its margins, the representativeness shares."""
    overall = profile["overall"]
    audit.publish(("total", "n"), overall["n"])
    groups = profile["groups"]
    for name, entries in groups.items():
        if "|" in name:
            first, second = name.split("|")
            cells = {(repr(e["value"][0]), repr(e["value"][1])): e for e in entries}
            for (row, col), entry in cells.items():
                audit.publish(("cross", name, row, col), entry["n"])
            for row in {r for r, _ in cells}:
                audit.add_sum(("group", first, row), [("cross", name, row, c) for r, c in cells if r == row])
            for col in {c for _, c in cells}:
                audit.add_sum(("group", second, col), [("cross", name, r, col) for r, c in cells if c == col])
            continue
        for entry in entries:
            audit.publish(("group", name, repr(entry["value"])), entry["n"])
        audit.add_sum(("total", "n"), [("group", name, repr(e["value"])) for e in entries])
    for variable, rows in profile["representativeness"]["variables"].items():
        for row in rows:
            if row["sample_share"] is not None and overall["n"]:
                audit.publish(("group", variable, repr(row["value"])), round(row["sample_share"] * overall["n"]))
        if variable not in groups:  # a margin that is no group (e.g. phone): its parts, and those with no target value, add up
            audit.publish(("rest", variable), (profile["representativeness"]["weighting"].get("unmatched") or {}).get(variable))
            audit.add_sum(("total", "n"), [("group", variable, repr(r["value"])) for r in rows] + [("rest", variable)])
    coverage = profile["representativeness"].get("coverage")
    if coverage:
        coverage_counts(audit, coverage, overall["n"])
    funnel = profile["funnel"]
    if funnel.get("overall"):
        for stat in FUNNEL:
            audit.publish(("total", "funnel", stat), funnel["overall"][stat])
        audit.same(("total", "n"), ("total", "funnel", "completed"))
        for attribute in ("channel", "language"):
            for entry in funnel[attribute]:
                for stat in FUNNEL:
                    audit.publish(("funnel", attribute, repr(entry["value"]), stat), None if entry["suppressed"] else entry[stat])
            for stat in FUNNEL:
                audit.add_sum(("total", "funnel", stat), [("funnel", attribute, repr(e["value"]), stat) for e in funnel[attribute]])
            # The funnel's completed conversations of a channel are the profile's respondents of that channel.
            for entry in funnel[attribute]:
                if attribute in groups:
                    audit.same(("funnel", attribute, repr(entry["value"]), "completed"), ("group", attribute, repr(entry["value"])))


def coverage_counts(audit: Audit, coverage: dict, n: int | None) -> None:
    """Who has no phone of their own: overall and by channel (the shipped flow requires the answer: n answered)."""
    if coverage["sample_share"] is not None and n:
        audit.publish(("coverage", "unreached"), round(coverage["sample_share"] * n))
    channels = coverage["by_channel"]
    for row in channels:
        channel = repr(row["channel"])
        without, having = ("coverage", channel, "unreached"), ("coverage", channel, "reached")
        shown = row["share"] is not None
        audit.publish(without, round(row["share"] * row["respondents"]) if shown else None)
        audit.publish(having, row["respondents"] - round(row["share"] * row["respondents"]) if shown else None)
        audit.add_sum(("group", "channel", channel), [without, having])
    if channels:
        audit.add_sum(("coverage", "unreached"), [("coverage", repr(r["channel"]), "unreached") for r in channels])


CHANNEL_NAMES = {"SMS": "sms", "USSD": "ussd", "Telegram": "telegram"}


def public_counts(audit: Audit, public_page: str, home_page: str, min_cell: int) -> None:
    """The public page's total and channels, and the home page's count, linked to the profile's."""
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", public_page)))
    total = re.search(r"(\d+) people answered the whole consultation", text)
    if total is None:
        assert f"Fewer than {min_cell} people have answered so far" in text
    audit.publish(("total", "n"), int(total.group(1)) if total else None)
    channels = re.search(r'<ul id="channels">(.*?)</ul>', public_page, re.S)
    parts = []
    for name, shown in re.findall(r"<li>([^:<]+): (.*?)</li>", channels.group(1) if channels else ""):
        key = ("group", "channel", repr(CHANNEL_NAMES[name.strip()]))
        number = re.fullmatch(r"\s*(\d+)\s*", shown)
        assert number or "fewer than" in shown or "hidden" in shown, shown
        audit.publish(key, int(number.group(1)) if number else None)
        parts.append(key)
    if parts:
        audit.add_sum(("total", "n"), parts)
    row = re.search(r"/results/%s.*?</tr>" % SLUG, home_page, re.S)
    answered = re.search(r'<td class="num">\s*(\d+)\s*</td>', row.group(0)) if row else None
    audit.publish(("total", "n"), int(answered.group(1)) if answered else None)


def dashboard_counts(page: str) -> list[int]:
    """Every n of the officials' groups table."""
    table = re.search(r'<table id="groups">(.*?)</table>', page, re.S).group(1)
    return sorted(int(n) for n in re.findall(r'<td class="num">(\d+)</td>', table))


def audit_consultation(client, analyst, token) -> tuple[Audit, int]:
    """Collect what the API, the dashboard, the public page and the home page publish about the consultation."""
    profile = client.get(f"/api/v1/consultations/{SLUG}/profile", headers={"Authorization": f"Bearer {token}"}).json
    min_cell = profile["overall"]["min_cell"]
    audit = Audit()
    profile_counts(audit, profile)
    public_counts(audit, client.get(f"/results/{SLUG}?lang=en").data.decode(),
                  client.get("/?lang=en").data.decode(), min_cell)
    # The officials' table shows exactly the counts the API gives, no more.
    page = analyst.get(f"/dashboard/{SLUG}?lang=en").data.decode()
    api_counts = sorted(e["n"] for name, entries in profile["groups"].items() for e in entries if e["n"] is not None)
    assert dashboard_counts(page) == api_counts
    return audit, min_cell


@pytest.fixture
def official(app, accounts):
    other = app.test_client()
    log_in(other, accounts["analyst"])
    return other


@pytest.mark.parametrize("citizens", [6, 12, 40, 150])
def test_no_small_count_can_be_worked_out_from_what_is_published(client, official, token, runner, citizens):
    assert runner.invoke(args=["demo", "--no-serve", "--citizens", str(citizens)]).exit_code == 0
    assert runner.invoke(args=["aggregate", SLUG]).exit_code == 0
    audit, min_cell = audit_consultation(client, official, token)
    assert audit.disclosed(min_cell) == {}


@pytest.mark.parametrize("citizens", [40, 150])
def test_nothing_small_leaks_with_census_targets_on_a_question_that_is_no_group(client, official, token, runner, tmp_path, citizens):
    assert runner.invoke(args=["demo", "--no-serve", "--citizens", str(citizens)]).exit_code == 0
    targets = tmp_path / "targets.csv"
    targets.write_text("variable,value,population\nphone,none,2000\nphone,basic,4500\nphone,smartphone,2000\n"
                       "phone,smartphone_internet,1500\ngender,female,5100\ngender,male,4700\ngender,other,200\n")
    assert runner.invoke(args=["profiles", "targets", SLUG, str(targets)]).exit_code == 0
    assert runner.invoke(args=["aggregate", SLUG]).exit_code == 0
    audit, min_cell = audit_consultation(client, official, token)
    assert ("group", "phone", "'none'") in audit.names
    assert audit.disclosed(min_cell) == {}


def test_the_audit_finds_a_channel_given_away_by_subtraction():
    # The page this issue started from: "15 people answered", "SMS: 12", "Telegram: fewer than 10".
    audit = Audit()
    page = ('<p id="participation">15 people answered the whole consultation.</p>'
            '<ul id="channels"><li>SMS: 12</li><li>Telegram: <span>fewer than 10</span></li></ul>')
    public_counts(audit, page, "", 10)
    assert audit.disclosed(10) == {("group", "channel", "'telegram'"): 3}


def test_the_audit_finds_a_margin_given_back_by_its_cells():
    # Men hidden to protect "other", but every district's count of men shown: their sum gives men back, then "other".
    audit = Audit()
    audit.publish(("total", "n"), 100)
    for value, n in (("f", 60), ("m", None), ("o", None)):
        audit.publish(("group", "g", value), n)
    audit.add_sum(("total", "n"), [("group", "g", v) for v in "fmo"])
    for district, cells in (("a", (30, 15, None)), ("b", (30, 20, None))):
        for value, n in zip("fmo", cells):
            audit.publish(("cross", "d|g", district, value), n)
    for value in "fmo":
        audit.add_sum(("group", "g", value), [("cross", "d|g", d, value) for d in "ab"])
    assert audit.disclosed(10) == {("group", "g", "o"): 5}
