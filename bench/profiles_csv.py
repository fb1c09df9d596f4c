"""Benchmark: `profiles compute` on a 1,000,000-row export CSV, against pandas reading it and computing Alkire-Foster.

    .venv/bin/python bench/profiles_csv.py [--rows 1000000] [--keep FILE]

Writes an export of the shipped consultation (synthetic citizens of the demo's population model,
8 in 11 completed; codes, numbers and multi-choice codes as the export writes them), then times:
  - Palabre: the file read as `profiles compute` reads it, typed with the flow, and the whole profile;
  - the reference: pandas `read_csv` of the same file and a vectorised Alkire-Foster (H and M0 per
    group, unweighted) written for this flow only, with no validation;
and compares the figures group by group (they must be identical to 6 decimals), then prints the
ratio against the target (within 3x the reference). pandas is needed here only:
`.venv/bin/pip install pandas` (it is not a dependency of Palabre).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from cli.profiles_cmd import read_text  # noqa: E402
from flows.loader import load_flow  # noqa: E402
from palabre.exports.table import format_value  # noqa: E402
from palabre.population import draw_persona  # noqa: E402
from profiles.alkire_foster import IDENTIFICATION_TOLERANCE  # noqa: E402
from profiles.from_csv import profile_from_csv  # noqa: E402
from profiles import responses_columns  # noqa: E402
from profiles.responses_columns import read_columns  # noqa: E402

FLOW = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")
PERSONAS = 50_000  # distinct synthetic citizens; rows reuse them at random
STATUSES = ["completed"] * 8 + ["declined", "active", "expired"]
TARGET_RATIO = 3.0
DECIMALS = 5e-7  # the profile rounds to 6 decimals
MIN_CELL = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", help="Write the CSV here and keep it.")
    args = parser.parse_args()
    try:
        import pandas  # noqa: F401
    except ImportError:
        sys.exit("the reference needs pandas: .venv/bin/pip install pandas")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep or Path(tmp) / "responses.csv")
        started = time.perf_counter()
        write_export(path, args.rows)
        print(f"wrote {args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.1f} s")
        run(path)


def run(path: Path) -> None:
    readers = {}
    for name, use_arrow in (("pyarrow", True), ("csv module", False)):
        if use_arrow and responses_columns._arrow_csv is None:
            continue
        started = time.perf_counter()
        assert read_columns(io.StringIO(read_text(str(path))), FLOW, use_arrow=use_arrow) is not None
        readers[name] = time.perf_counter() - started
    started = time.perf_counter()
    profile = profile_from_csv(FLOW, io.StringIO(read_text(str(path))), MIN_CELL)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    frame = read_pandas(path)
    read_reference = time.perf_counter() - started
    figures = alkire_foster_pandas(frame)
    reference = time.perf_counter() - started
    print("read and typed, per distinct value: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in readers.items())
          + f"; pandas read_csv alone {read_reference:.2f} s")
    print(f"profiles compute (read with {next(iter(readers))}, typed, whole profile): {ours:.2f} s")
    print(f"reference (pandas read_csv + vectorised AF H, M0 per group): {reference:.2f} s")
    compared = compare(profile, figures)
    print(f"figures compared: {compared} groups and the overall, identical to 6 decimals")
    print(f"ratio {ours / reference:.2f} (target <= {TARGET_RATIO:.0f}x {'met' if ours <= TARGET_RATIO * reference else 'MISSED'})")


def write_export(path: Path, rows: int) -> None:
    """The export's columns, as palabre/exports/table.py writes them."""
    rng = random.Random(11)
    tails = []
    for _ in range(PERSONAS):
        persona = draw_persona(rng)
        cells = [format_value(persona.answers.get(q.id), q.type).replace(",", " ") for q in FLOW.questions]
        tails.append((persona.channel, persona.language, ",".join(cells)))
    header = ["response_id", "participant", "channel", "language", "status", "started_at", "completed_at",
              *(q.id for q in FLOW.questions)]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(header) + "\n")
        for start in range(0, rows, 50_000):
            lines = []
            for i in range(start, min(start + 50_000, rows)):
                channel, language, tail = tails[rng.randrange(PERSONAS)]
                lines.append(f"r{i:x},p{i:x},{channel},{language},{rng.choice(STATUSES)},,,{tail}\n")
            out.write("".join(lines))


def read_pandas(path: Path):
    import pandas as pd

    needed = ["status", "channel", "language", *sorted({n for i in FLOW.profile.indicators for n in i.deprived_if.names}
                                                       | set(FLOW.profile.groups) - {"channel", "language"})]
    return pd.read_csv(path, usecols=needed, dtype={"status": "category", "channel": "category", "language": "category",
                                                      "district": "category", "gender": "category", "disability": "category",
                                                      "visit_cost": "category", "wait": "category", "phone": "category",
                                                      "helper": "category"},
                       keep_default_na=False, na_values=[""])


def alkire_foster_pandas(frame) -> dict:
    """H and M0 per group value, and overall, for this flow's indicators (hand-vectorised, no validation)."""
    import pandas as pd

    done = frame[frame["status"] == "completed"]
    weights = {i.id: i.weight for i in FLOW.profile.indicators}
    deprived = {
        "far_office": done["travel_minutes"] > 60,
        "costly_trip": done["visit_cost"].isin(["half_day", "day"]),
        "many_visits": done["visits_needed"] >= 3,
        "long_wait": done["wait"].isin(["quarter", "longer"]),
        "no_internet": done["phone"].isin(["none", "basic", "smartphone"]),
        # Decided once per distinct cell (a category), as Palabre does: the fastest pandas way.
        "no_help": pd.Series(np.asarray(done["helper"].cat.categories.map(lambda cell: "nobody" in cell.split()),
                                        dtype=bool)[done["helper"].cat.codes.to_numpy()] & (done["helper"].cat.codes.to_numpy() >= 0),
                             index=done.index),
    }
    score = sum(weights[name] * mask.to_numpy(dtype=float) for name, mask in deprived.items())
    poor = score >= FLOW.profile.cutoff - IDENTIFICATION_TOLERANCE
    table = pd.DataFrame({"poor": poor, "censored": score * poor}, index=done.index)
    age = FLOW.question("age")
    edges = [-np.inf, *age.bands, np.inf]
    table["age"] = pd.cut(done["age"], edges, right=False, labels=list(age.band_labels())).astype(object)
    for group in FLOW.profile.groups:
        if group != "age":
            table[group] = done[group].astype(object)
    figures = {"overall": {"": (len(table), table["poor"].mean(), table["censored"].mean())}}
    for group in FLOW.profile.groups:
        stats = table.groupby(group, observed=True).agg(n=("poor", "size"), H=("poor", "mean"), M0=("censored", "mean"))
        figures[group] = {value: (row.n, row.H, row.M0) for value, row in stats.iterrows()}
    return figures


def compare(profile: dict, figures: dict) -> int:
    """Assert Palabre's published figures equal the reference's; return how many groups were compared."""
    n, h, m0 = figures["overall"][""]
    overall = profile["overall"]
    assert overall["n"] == n and abs(overall["H"] - h) < DECIMALS and abs(overall["M0"] - m0) < DECIMALS, (overall, figures["overall"])
    compared = 0
    for group, entries in profile["groups"].items():
        if group not in figures:  # crossed groups (district|gender): not in the reference
            continue
        for entry in entries:
            if entry.get("n") is None:  # suppressed: nothing published to compare
                continue
            n, h, m0 = figures[group][entry["value"]]
            assert entry["n"] == n, (group, entry["value"], entry["n"], n)
            assert abs(entry["H"] - h) < DECIMALS and abs(entry["M0"] - m0) < DECIMALS, (group, entry, h, m0)
            compared += 1
    return compared


if __name__ == "__main__":
    main()
