"""Palabre's own export layout: paper questionnaires typed into a copy of `export --format csv|xlsx`.

`response_id, participant, channel, language, status, started_at, completed_at`, then one column
per question holding its code, number, yes/no, text, or multi-choice codes separated by spaces.
"""

from __future__ import annotations

from palabre.imports.layout import Layout

PALABRE = Layout(
    name="Palabre",
    channel="paper",
    markers=frozenset({"response_id", "status"}),
    separator=None,
    key_columns=("response_id",),
    start_columns=("started_at",),
    end_columns=("completed_at",),
    # The pseudonym is another participant's key in another instance: a new one is made on import.
    identity_columns=frozenset({"participant"}),
    meta_columns=frozenset({"channel", "language", "status"}),
    hint="Start from the header of `python app.py export SLUG --format csv`.",
)
