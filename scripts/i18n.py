"""Refresh the French catalogue: extract the pages' strings, keep existing translations, list what is missing.

    .venv/bin/python scripts/i18n.py            # report untranslated strings
    .venv/bin/python scripts/i18n.py --write    # rewrite dashboard/translations/fr/LC_MESSAGES/messages.po
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "dashboard" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
# Values translated through _(value) in templates: statuses and purposes.
DYNAMIC = ("draft", "open", "closed", "planned", "in_progress", "done", "active", "completed", "declined", "expired",
           "opted_out", "legitimacy", "budget_accountability", "citizen_voice", "transparency", "simpler_procedures")


def extracted() -> list[str]:
    """Every msgid in the code and templates, plus the dynamic values."""
    method_map = [("dashboard/**.py", "python"), ("api/**.py", "python"), ("dashboard/templates/**.html", "jinja2")]
    ids = {message[2] for message in extract_from_dir(str(ROOT), method_map) if isinstance(message[2], str)}
    return sorted((ids | set(DYNAMIC)) - {""})


def existing() -> dict[str, str]:
    if not PO.exists():
        return {}
    with PO.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id and m.string}


def main(write: bool, extra: dict[str, str] | None = None) -> int:
    known = {**existing(), **(extra or {})}
    ids = extracted()
    missing = [i for i in ids if not known.get(i)]
    if write:
        catalog = Catalog(locale="fr", project="Palabre")
        for msgid in ids:
            catalog.add(msgid, known.get(msgid, ""))
        PO.parent.mkdir(parents=True, exist_ok=True)
        with PO.open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False)
    for msgid in missing:
        print(f"untranslated: {msgid}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main("--write" in sys.argv))
