from flows.loader import load_flow
from palabre.config import ROOT
from profiles.findings import findings

FLOW = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")


def entry(value, label, M0, H=0.58, reliable=True, suppressed=False, dims=None):
    return {"value": value, "label": label, "M0": M0, "H": H, "H_ci": [0.49, 0.67], "reliable": reliable,
            "suppressed": suppressed, "contributions_by_dimension": dims or {"distance": 0.4, "cost": 0.3, "delays": 0.2, "digital": 0.1}}


def test_the_highest_share_at_risk_among_reliable_published_groups_with_the_tables_interval():
    entries = [
        entry("nord", {"fr": "Nord", "en": "North"}, 0.30),
        entry("ouest", {"fr": "Ouest", "en": "West"}, 0.50, reliable=False),
        {"value": "est", "label": {"fr": "Est", "en": "East"}, "n": None, "suppressed": True, "reliable": False},
        entry(["sud", "female"], {"fr": "Sud, Une femme", "en": "South, A woman"}, 0.20, H=0.61,
              dims={"distance": 0.0, "cost": 0.2, "delays": 0.1, "digital": 0.7}),
    ]
    # South, A woman has the lower M0 but the higher share at risk: it comes first, as in the pages' ranking,
    # and the interval is the asymmetric one the tables print, never a ±.
    assert findings(FLOW, entries) == {
        "fr": ["Sud, Une femme : 61 % à risque (49–67), surtout accès numérique et coût",
               "Nord : 58 % à risque (49–67), surtout distance et coût"],
        "en": ["South, A woman: 61% at risk (49–67), mostly digital access and cost",
               "North: 58% at risk (49–67), mostly distance and cost"],
    }

def test_a_single_group_says_its_variable_so_that_no_reads_as_no_disability():
    entries = [entry("none", {"fr": "Non", "en": "No"}, 0.30, H=0.57), entry("nord", {"fr": "Nord", "en": "North"}, 0.20, H=0.5),
               entry("60+", {"fr": "Âge 60+", "en": "Age 60+"}, 0.10, H=0.4)]
    assert findings(FLOW, entries, ["disability", "district", "age"]) == {
        "fr": ["Non (handicap) : 57 % à risque (49–67), surtout distance et coût",
               "Nord (quartier) : 50 % à risque (49–67), surtout distance et coût",
               "Âge 60+ : 40 % à risque (49–67), surtout distance et coût"],
        "en": ["No (disability): 57% at risk (49–67), mostly distance and cost",
               "North (district): 50% at risk (49–67), mostly distance and cost",
               "Age 60+: 40% at risk (49–67), mostly distance and cost"],
    }
