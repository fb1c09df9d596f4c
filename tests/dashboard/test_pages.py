"""What officials and the public see: consultations, progress, the profile, the results page."""

from __future__ import annotations

import re
from html import unescape



def _text(response) -> str:
    return re.sub(r"\s+", " ", response.data.decode())


def test_consultations_list_shows_status_purposes_commitment_and_ways_in(app, settings, accounts):
    from app import create_app
    from tests.dashboard.conftest import log_in

    configured = create_app(settings.replace(TWILIO_FROM_NUMBER="+15005550006", USSD_SERVICE_CODE="*384*123#",
                                             TELEGRAM_BOT_USERNAME="palabre_bot"))
    client = configured.test_client()
    log_in(client, accounts["analyst"])
    page = _text(client.get("/dashboard/?lang=en"))
    assert "Access to public services" in page and "open" in page
    assert "send AVIS to +15005550006" in page and "dial *384*123#" in page
    assert "https://t.me/palabre_bot?start=access-barriers" in page and "<svg" in page  # the QR code
    assert "The city will publish the results within 2 months" in page


def test_officials_see_what_went_out_and_what_waits_for_a_retry(analyst, db, settings, now):
    from datetime import timedelta

    from models import OutboundMessage
    from palabre.identity import TEL
    from palabre.inbound import find_or_create_participant

    with db.session() as session:
        person = find_or_create_participant(session, settings.PSEUDONYM_KEY, TEL, "+447700900001", now)
        for status, attempts in (("sent", 1), ("sent", 1), ("failed", 6), ("skipped", 0), ("queued", 2)):
            session.add(OutboundMessage(participant_id=person.id, channel="sms", kind="invitation", text="Bonjour", status=status,
                                        attempts=attempts, created_at=now, next_attempt_at=now + timedelta(minutes=2) if status == "queued" else None))
        session.commit()
    page = _text(analyst.get("/dashboard/?lang=en"))
    assert "5 in all (sent 2, waiting 1, failed 1, not sent: opted out 1)." in page
    assert "1 failed for now and will be tried again" in page and "python app.py outbox retry" in page
    assert "+447700900001" not in page and "900001" not in page


def test_codes_read_as_words_in_english(analyst, runner):
    runner.invoke(args=["demo", "--no-serve", "--citizens", "25"])
    page = _text(analyst.get("/dashboard/?lang=en"))
    assert "citizen voice" in page and "simpler procedures" in page
    assert "citizen_voice" not in page and "opted_out" not in page


def test_the_page_speaks_french_on_request(analyst):
    page = _text(analyst.get("/dashboard/?lang=fr"))
    assert "Comment les citoyens participent" in page and "La mairie publiera" in page


def test_progress_counts_and_charts_from_real_conversations(analyst, runner):
    runner.invoke(args=["demo", "--no-serve", "--citizens", "25"])
    page = _text(analyst.get("/dashboard/access-barriers?lang=en"))
    assert "Progress" in page and page.count("<svg") >= 2
    assert re.search(r'<div class="big">25</div> ?started', page)


def test_the_profile_shows_headline_groups_and_suppressed_cells(analyst, snapshot):
    page = _text(analyst.get("/dashboard/access-barriers?lang=en"))
    assert "42% <small>(35–49)</small>" in page
    assert "District: North" in page and "fewer than 10" in page
    assert page.index("District: North") < page.index("District: Centre") < page.index("fewer than 10")
    assert "North: 81% at risk (69–89), mostly distance and cost" in page
    assert "design effect" in page


def test_no_profile_yet_says_how_to_compute_it(analyst):
    page = _text(analyst.get("/dashboard/access-barriers?lang=en"))
    assert "python app.py aggregate access-barriers" in page


def test_unknown_consultation_is_a_clear_404(analyst):
    response = analyst.get("/dashboard/nope?lang=en")
    assert response.status_code == 404 and b"No consultation is called 'nope'" in response.data


def test_public_results_page_needs_no_login_and_respects_the_minimum_cell(client, snapshot):
    page = _text(client.get("/results/access-barriers?lang=en"))
    assert "Who is at risk of being left out" in page and "42%" in page
    assert "North" in page and "East" not in page.split("What we are doing")[0].split("Main reasons")[1]
    assert "Fewer than 10 people have answered so far." in page
    assert "<script" not in page


def test_public_results_page_in_french(client, snapshot):
    page = _text(client.get("/results/access-barriers?lang=fr"))
    assert "Qui risque d'être laissé de côté" in page and "Nord : 81 % à risque" in page


def test_pages_never_show_a_phone_number(analyst, runner, db):
    from sqlalchemy import select

    from models import ChannelAddress

    runner.invoke(args=["demo", "--no-serve", "--citizens", "15"])
    with db.session() as session:
        numbers = session.scalars(select(ChannelAddress.address)).all()
    pages = [analyst.get(url).data.decode() for url in ("/dashboard/", "/dashboard/access-barriers", "/results/access-barriers", "/")]
    for number in numbers:
        assert all(number not in page and number.lstrip("+") not in page for page in pages)


# --- Never a false figure: a hidden cell says truly why it is hidden.

def _store(db, now, data):
    from models import Consultation, ProfileSnapshot

    with db.session() as session:
        consultation = session.query(Consultation).filter_by(slug="access-barriers").one()
        session.add(ProfileSnapshot(consultation_id=consultation.id, computed_at=now, responses=data["overall"]["n"] or 0, data=data))
        session.commit()


def _entry(value, n, H, M0, reliable=True):
    return {"value": value, "n": n, "n_eff": float(n), "H": H, "H_ci": [H - 0.1, H + 0.08], "A": 0.5, "M0": M0,
            "contributions_by_dimension": {"distance": 0.5, "cost": 0.2, "delays": 0.2, "digital": 0.1},
            "reliable": reliable, "suppressed": False}


def _profile(**overrides):
    import copy

    from tests.dashboard.conftest import SNAPSHOT

    data = copy.deepcopy(SNAPSHOT)
    data["groups"]["gender"] = [
        _entry("female", 230, 0.42, 0.21),
        {"value": "male", "n": None, "suppressed": True, "suppression": "complementary", "reliable": False},
        {"value": "other", "n": None, "suppressed": True, "suppression": "small", "reliable": False},
    ]
    data["representativeness"] = {"weighting": {"applied": False}, "helpers": None, "variables": {"gender": [
        {"value": "female", "label": {"fr": "Une femme", "en": "A woman"}, "sample_share": 0.5, "population_share": 0.5,
         "population": 5000, "suppressed": False},
        {"value": "male", "label": {"fr": "Un homme", "en": "A man"}, "sample_share": None, "population_share": 0.48,
         "population": 4800, "suppressed": True, "suppression": "complementary"},
    ]}}
    data.update(overrides)
    return data


def _row(page: str, label: str) -> str:
    """The table row (or list item) that starts with a label."""
    match = re.search(r"<tr><td>" + re.escape(label) + r"</td>(.*?)</tr>", page)
    assert match, f"no row {label!r}"
    return match.group(1)


def test_a_group_hidden_to_protect_a_smaller_one_is_not_called_small(analyst, db, now):
    _store(db, now, _profile())
    page = _text(analyst.get("/dashboard/access-barriers?lang=fr"))
    # Men are many; they are hidden only so that "other" cannot be worked out. Never "moins de 10" for them.
    men = _row(page, "Genre : Un homme")
    assert "masqué pour protéger un petit groupe" in men and "moins de 10" not in men
    assert "moins de 10" in _row(page, "Genre : Autre / ne pas dire")
    assert "sinon on retrouverait le petit en soustrayant les autres du total" in page
    representativeness = page.split('id="representativeness"')[1].split("</table>")[0]
    assert "masqué pour protéger un petit groupe" in representativeness and "moins de 10" not in representativeness
    english = _text(analyst.get("/dashboard/access-barriers?lang=en"))
    assert "hidden to protect a smaller group" in _row(english, "Gender: A man")


def test_a_hidden_profile_shows_no_indicator_figures(analyst, db, now):
    hidden = {"n": None, "suppressed": True, "suppression": "small", "reliable": False, "min_cell": 10, "cutoff": 0.33, "weighted": False}
    _store(db, now, {"overall": hidden, "groups": {"district": [{"value": "nord", "n": None, "suppressed": True, "suppression": "small"}]},
                     "robustness": [], "representativeness": {}, "funnel": {}, "findings": {"fr": [], "en": []}})
    page = _text(analyst.get("/dashboard/access-barriers?lang=en"))
    profile = page.split('id="profile"')[1].replace('width="100%"', "")  # a chart's width is not a figure
    assert 'id="indicators"' not in profile and "0%" not in profile
    assert "Fewer than 10 people have answered so far." in page


def test_groups_are_ranked_by_the_share_at_risk_the_chart_plots_and_say_so(analyst, db, now):
    data = _profile()
    # North has the higher M0 but the lower share at risk: it comes second, in the table and in the chart.
    data["groups"]["district"] = [_entry("nord", 60, 0.66, 0.40), _entry("sud", 50, 0.68, 0.30)]
    _store(db, now, data)
    page = _text(analyst.get("/dashboard/access-barriers?lang=en"))
    table = page.split('id="groups"')[1]
    assert table.index("District: South") < table.index("District: North")
    chart = next(svg for svg in page.split("<svg") if "Share at risk of exclusion (H), with 95% intervals" in svg)
    assert chart.index("District: South") < chart.index("District: North")
    assert "Groups, highest share at risk (H) first" in page and "Share at risk (H) by group, highest first" in page


def test_the_public_page_never_gives_a_channel_away_by_subtraction():
    from dashboard.public import published_channels

    # "15 people answered", "SMS: 12", "Telegram: fewer than 10" gave Telegram's 3 away.
    total, channels = published_channels({"sms": 12, "telegram": 3}, 10)
    assert total == 15 and channels == [("SMS", None, "complementary"), ("Telegram", None, "small")]
    assert published_channels({"sms": 12, "telegram": 13, "ussd": 2}, 10) == (
        27, [("SMS", None, "complementary"), ("Telegram", 13, None), ("USSD", None, "small")])
    assert published_channels({"sms": 6, "telegram": 3}, 10) == (None, [("SMS", None, "small"), ("Telegram", None, "small")])


def test_findings_and_tables_give_the_same_interval(analyst, db, now):
    from flows.loader import load_flow
    from palabre.config import ROOT
    from profiles.findings import findings

    data = _profile()
    west = {**_entry("ouest", 45, 0.91, 0.5), "H_ci": [0.79, 0.96], "label": {"fr": "Ouest", "en": "West"}}
    data["groups"]["district"] = [west]
    data["findings"] = findings(load_flow(ROOT / "flows/library/access_barriers.yaml"), [west])
    _store(db, now, data)
    page = _text(analyst.get("/dashboard/access-barriers?lang=fr"))
    assert "Ouest : 91 % à risque (79–96), surtout distance et coût" in page
    assert "91% <small>(79–96)</small>" in _row(page, "Quartier : Ouest") and "±" not in page


# --- Words, not codes.

def test_officials_read_words_from_the_flow_not_codes(analyst, runner, db, now):
    runner.invoke(args=["demo", "--no-serve", "--citizens", "60"])
    runner.invoke(args=["aggregate", "access-barriers"])
    from models import Action, Consultation

    with db.session() as session:
        consultation = session.query(Consultation).filter_by(slug="access-barriers").one()
        session.add(Action(consultation_id=consultation.id, title={"fr": "Bus", "en": "Bus"}, description={"fr": "-", "en": "-"},
                           dimension="distance", groups=[{"variable": "district", "value": "nord"}], status="planned"))
        session.commit()
    for lang, words in (("fr", ("Temps de trajet", "Bureau à plus d'une heure", "Quartier : Nord", "Part en situation de privation")),
                        ("en", ("Travel time", "Office over an hour away", "District: North", "Telegram"))):
        page = unescape(_text(analyst.get(f"/dashboard/access-barriers?lang={lang}")))
        for word in words:
            assert word in page, (lang, word)
        for code in ("district|gender", "age 60+", "Francais", "travel_minutes", "far_office", "TELEGRAM", "district=nord",
                     "Part privée", "Privés et"):
            assert code not in page, (lang, code)


# --- The public home page: no draft, no small count, in French too.

def test_home_lists_public_consultations_with_the_minimum_cell_in_french(client, loaded, db, runner):
    from models import Consultation

    runner.invoke(args=["demo", "--no-serve", "--citizens", "6"])
    with db.session() as session:
        session.add(Consultation(slug="brouillon", title={"fr": "Brouillon secret", "en": "Secret draft"}, status="draft",
                                 flow_yaml="", flow_sha256="", keywords=[]))
        session.commit()
    page = _text(client.get("/?lang=fr"))
    assert "Accès aux services publics" in page and "Personnes ayant répondu" in page
    assert "moins de 10" in page and "opted_out" not in page and "désinscrit" not in page
    assert "Brouillon" not in page and "brouillon" not in page
    assert "Les consultations menées ici" in _text(client.get("/?lang=fr")) and "Consultations run by this instance" in _text(client.get("/?lang=en"))


def test_the_action_form_names_groups_in_words(admin):
    page = unescape(_text(admin.get("/dashboard/access-barriers/actions/new?lang=fr")))
    print(page)
    assert "Quartier : Nord" in page and "Canal : Telegram" in page and "Langue : Français" in page
    assert "district:" not in page and "channel:" not in page


def test_census_target_errors_read_in_french_on_a_french_page(admin):
    import io

    from tests.dashboard.conftest import csrf_from

    url = "/dashboard/access-barriers/targets/?lang=fr"
    token = csrf_from(admin.get(url).data)
    response = admin.post(url, data={"csrf_token": token, "targets": (io.BytesIO(b"variable,value,population\ndistrict,lune,100\n"), "t.csv")},
                          content_type="multipart/form-data")
    page = unescape(_text(response))
    assert response.status_code == 422
    assert "ligne 2 : Quartier : valeur inconnue « lune »" in page and "unknown value" not in page
