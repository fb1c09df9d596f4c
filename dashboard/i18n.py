"""French and English for the pages, with Babel; catalogs compile themselves when they change."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel

LANGUAGES = ("fr", "en")
TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    """?lang= (remembered in the session), else the browser's preference, else French."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]


def init_i18n(app: Flask) -> None:
    """Compile the catalogs if needed and attach Babel to the app."""
    compile_catalogs()
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))


def compile_catalogs() -> None:
    """Write each .mo next to its .po when missing or older (no build step to forget)."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalog)
        tmp.replace(mo_path)
