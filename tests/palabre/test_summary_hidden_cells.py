"""The demo's closing summary says truly why a district is hidden: small, or protecting a small one."""

from __future__ import annotations

from models import Consultation, ProfileSnapshot
from palabre.summary import exclusion_summary


def test_a_district_hidden_to_protect_another_is_not_called_small(loaded, db, settings, now):
    hidden = lambda value, why: {"value": value, "label": {"fr": value.title()}, "n": None, "suppressed": True,  # noqa: E731
                                 "suppression": why, "reliable": False}
    data = {"overall": {"n": 200, "H": 0.5, "H_ci": [0.43, 0.57], "A": 0.5, "M0": 0.25, "min_cell": 10, "suppressed": False},
            "groups": {"district": [hidden("nord", "complementary"), hidden("est", "small")]}, "findings": {}}
    with db.session() as session:
        consultation = session.query(Consultation).filter_by(slug="access-barriers").one()
        session.add(ProfileSnapshot(consultation_id=consultation.id, computed_at=now, responses=200, data=data))
        session.commit()
        lines = exclusion_summary(session, settings)
    assert lines.index("  District:") < lines.index("    North: hidden to protect a smaller group")
    assert "    East: fewer than 10" in lines
    assert not any("district=" in line for line in lines)  # words, not codes
