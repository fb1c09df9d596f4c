"""The main question first: the consultation and public pages open with the answer, then the groups most at risk and why."""

from __future__ import annotations

import copy
import re

from tests.dashboard.conftest import SNAPSHOT


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.data.decode())


def _store(db, now, data):
    from models import Consultation, ProfileSnapshot

    with db.session() as session:
        consultation = session.query(Consultation).filter_by(slug="access-barriers").one()
        session.add(ProfileSnapshot(consultation_id=consultation.id, computed_at=now, responses=data["overall"]["n"] or 0, data=data))
        session.commit()


def _weighted(**weighting):
    data = copy.deepcopy(SNAPSHOT)
    data["representativeness"] = {"weighting": weighting, "variables": {}, "helpers": None}
    return data


def test_the_consultation_page_opens_with_the_answer_then_each_section_in_order(analyst, snapshot):
    page = _text(analyst.get("/dashboard/access-barriers?lang=en"))
    headline = re.search(r'<p id="headline"[^>]*>(.*?)</p>', page).group(1)
    assert re.sub(r"<[^>]+>", "", headline) == "42% (35–49) of the 240 people who answered are at risk of exclusion."
    assert "Not weighted: the figures describe the people who answered" in page
    order = ["In short: who is at risk of exclusion", "The groups most at risk, and why", ">Progress<", "Where people stop",
             "Groups, highest share at risk (H) first", "Indicators"]
    positions = [page.index(title) for title in order]
    assert positions == sorted(positions), positions
    # Each section carries a one-line reading aid under its title.
    assert page.count('<p class="aid">') >= len(order)


def test_the_groups_most_at_risk_are_named_with_their_n_and_why_in_the_page_language(analyst, snapshot):
    page = _text(analyst.get("/dashboard/access-barriers?lang=fr"))
    chart = next(svg for svg in page.split("<svg")[1:] if "Les groupes les plus à risque" in svg)
    assert "Quartier : Nord · n = 60" in chart and "Surtout : Distance, Coût" in chart
    assert "81% (69–89)" in chart
    assert chart.index("Quartier : Nord") < chart.index("Quartier : Centre")  # highest share at risk first
    assert "Est" not in chart  # a hidden group is not drawn


def test_the_chart_reads_in_black_and_white_and_on_a_phone(analyst, snapshot):
    page = _text(analyst.get("/dashboard/access-barriers?lang=en"))
    chart = next(svg for svg in page.split("<svg")[1:] if "The groups most at risk of exclusion, and why" in svg)
    # 400 units wide: on a 390-pixel phone its 12-unit text stays about 11 px; the name sits above its bar, not beside it.
    assert 'viewBox="0 0 400 ' in chart and 'class="narrow"' in page
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{3,6})"', chart))
    assert colours <= {"#000", "#222", "#fff", "#bbb"}, colours  # greys and patterns only
    name_y = float(re.search(r'<text x="0" y="([\d.]+)" font-size="14"[^>]*><title>District: North', chart).group(1))
    bar_y = float(re.search(r'<rect x="0" y="([\d.]+)" width="[\d.]+" height="14"', chart).group(1))
    assert name_y < bar_y


def test_the_headline_says_on_which_census_variables_the_figures_are_weighted(analyst, client, db, now):
    _store(db, now, _weighted(applied=True, variables=["district", "gender"], design_effect=1.4, converged=True))
    english = _text(analyst.get("/dashboard/access-barriers?lang=en"))
    sentence = "Weighted to the census: the answers are raked so that District and Gender match the population's totals."
    assert sentence in english.replace("&#39;", "'")
    french = _text(client.get("/results/access-barriers?lang=fr")).replace("&#39;", "'")
    assert "Pondéré sur le recensement : les réponses sont redressées pour que Quartier et Genre" in french


def test_the_public_page_gives_the_headline_a_chart_and_the_n_of_every_group_it_shows(client, snapshot):
    page = _text(client.get("/results/access-barriers?lang=en"))
    assert "42% <small>(35–49)</small></span></strong> of the 240 people who answered are at risk of exclusion." in page
    assert "Not weighted: the figures describe the people who answered" in page
    assert page.count("<svg") == 1 and "District: North · n = 60" in page
    table = page.split('id="top-groups"')[1].split("</table>")[0]
    assert re.search(r"<td>District: North</td><td class=\"num\">60</td>", table)
    assert re.search(r"<td>District: Centre</td><td class=\"num\">80</td>", table)
    assert "East" not in table  # hidden: no n, no row


def test_closing_a_live_consultation_asks_for_confirmation_first(admin):
    from tests.dashboard.conftest import csrf_from

    listing = admin.get("/dashboard/?lang=en")
    # Closing is a button dressed as an action that changes something, not as a link that goes somewhere.
    assert re.search(rb'<button type="submit" class="danger">Close', listing.data)
    token = csrf_from(listing.data)
    asked = admin.post("/dashboard/access-barriers/status", data={"status": "closed", "csrf_token": token})
    assert asked.status_code == 200
    text = _text(asked)
    assert "Close “Access to public services”?" in text and "can no longer start it" in text
    assert 'name="confirm" value="yes" required' in text
    assert b"badge open" in admin.get("/dashboard/").data  # nothing changed yet
    done = admin.post("/dashboard/access-barriers/status", data={"status": "closed", "confirm": "yes", "csrf_token": token})
    assert done.status_code == 302 and b"badge closed" in admin.get("/dashboard/").data
    # Opening again needs no second step.
    assert admin.post("/dashboard/access-barriers/status", data={"status": "open", "csrf_token": token}).status_code == 302


def test_the_confirm_page_speaks_french(admin):
    from tests.dashboard.conftest import csrf_from

    token = csrf_from(admin.get("/dashboard/?lang=fr").data)
    text = _text(admin.post("/dashboard/access-barriers/status?lang=fr", data={"status": "closed", "csrf_token": token}))
    assert "Fermer « Accès aux services publics » ?" in text and "Oui, fermer cette consultation" in text


def test_the_outbox_panel_parts_add_up_to_its_total(analyst, db, settings, now):
    from models import OutboundMessage
    from palabre.identity import TEL
    from palabre.inbound import find_or_create_participant

    statuses = ["sent", "delivered", "queued", "sending", "failed", "undelivered", "skipped", "unknown", "unknown", "inline"]
    with db.session() as session:
        person = find_or_create_participant(session, settings.PSEUDONYM_KEY, TEL, "+447700900002", now)
        for status in statuses:
            session.add(OutboundMessage(participant_id=person.id, channel="sms", kind="invitation", text="Bonjour", status=status,
                                        attempts=1, created_at=now))
        session.commit()
    panel = re.search(r'<p id="outbox-counts">(.*?)</p>', _text(analyst.get("/dashboard/?lang=en"))).group(1)
    # The inline reply went back in the webhook's answer: not in the outbox's figures.
    assert "9 in all (sent 2, waiting 2, failed 2, not sent: opted out 1, may have gone out or not 2)." in panel
    total = int(re.search(r"(\d+) in all", panel).group(1))
    parts = [int(n) for n in re.findall(r"[a-z] (\d+)", panel.split("in all", 1)[1])]
    assert sum(parts) == total


def test_a_status_the_panel_does_not_know_still_counts():
    from dashboard.outbox_panel import outbox_panel

    panel = outbox_panel({"sent": 3, "queued": 1, "unknown": 1, "bounced": 2, "inline": 7})
    assert panel.total == 7 == sum(panel.parts.values()) and panel.parts["other"] == 2


def test_a_weighting_without_named_variables_still_reads_as_a_sentence(app):
    from dashboard.headline import Weighting, weighting_sentence

    with app.test_request_context("/?lang=en"):
        assert weighting_sentence(Weighting(True, [])) == ("Weighted to the census: the answers are raked so that the groups of the "
                                                           "census targets match the population's totals.")
        assert "District, Age and Gender match" in weighting_sentence(Weighting(True, ["District", "Age", "Gender"]))
