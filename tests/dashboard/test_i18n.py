"""Every string of the pages exists in French as well as English."""

from __future__ import annotations

import sys

from palabre.config import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import i18n  # noqa: E402


def test_every_page_string_has_a_french_translation():
    known = i18n.existing()
    missing = [msgid for msgid in i18n.extracted() if not known.get(msgid)]
    assert missing == [], "run `python scripts/i18n.py --write` and translate these"


def test_placeholders_survive_translation():
    for msgid, msgstr in i18n.existing().items():
        for placeholder in ("%(n)d", "%(count)d", "%(slug)s", "%(title)s", "%(when)s", "%(code)s", "%(keyword)s", "%(number)s", "%(status)s"):
            assert (placeholder in msgid) == (placeholder in msgstr), (msgid, msgstr)
