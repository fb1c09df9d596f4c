"""The profile JSON as plain text for a terminal (`profiles compute --format table`)."""

from __future__ import annotations

FIGURES = f"{'':<34}{'n':>7}{'n_eff':>9}{'H':>8}  {'95% CI':<15}{'A':>6}{'M0':>8}"


def render_table(profile: dict, lang: str) -> str:
    """Every section of the profile, aligned, in one language."""
    overall = profile["overall"]
    lines = [_title(profile), _legend(overall), "", FIGURES, _row("overall", overall)]
    for group, entries in profile["groups"].items():
        lines.append(group)
        lines.extend(_row("  " + entry["label"].get(lang, str(entry["value"])), entry) for entry in entries)
    if not overall["suppressed"]:
        lines += ["", f"{'Indicators (everyone)':<34}{'deprived':>10}{'95% CI':>16}{'censored':>10}{'share of M0':>13}"]
        for indicator, share in overall["deprived_share"].items():
            low, high = overall["deprived_share_ci"][indicator]
            lines.append(f"  {indicator:<32}{_pct(share):>10}{_ci(low, high):>16}{_pct(overall['censored_headcounts'][indicator]):>10}"
                         f"{_pct(overall['contributions'][indicator]):>13}")
        if "raw" in overall:
            raw = overall["raw"]
            lines += ["", f"Unweighted: H {_pct(raw['H'])} {_ci(*raw['H_ci'])}, A {raw['A']:.3f}, M0 {raw['M0']:.4f}"]
    if profile["robustness"]:
        lines += ["", "Robustness (everyone, by cutoff k)"]
        lines += [f"  k = {item['cutoff']:<6g} H {_pct(item['H']):>6}   M0 {item['M0']:.4f}" for item in profile["robustness"]]
    lines += _representativeness(profile["representativeness"], lang)
    lines += _funnel(profile["funnel"])
    for language, sentences in profile["findings"].items():
        sentences = sentences or ["(no group is both large and precise enough yet)"]
        lines += ["", f"Findings ({language})"] + [f"  - {sentence}" for sentence in sentences]
    return "\n".join(lines) + "\n"


def _title(profile: dict) -> str:
    overall = profile["overall"]
    weighting = profile["representativeness"]["weighting"]
    n = "fewer than " + str(overall["min_cell"]) if overall["n"] is None else str(overall["n"])
    title = f"Exclusion-risk profile: {n} completed responses, cutoff k = {overall['cutoff']:g}"
    if weighting.get("applied"):
        status = "" if weighting["converged"] else f"; NOT converged, margins off by up to {weighting['max_margin_error']:.2%}"
        return title + f", weighted to census targets (design effect {weighting['design_effect']:.2f}{status})"
    if weighting.get("error"):
        return title + f", UNWEIGHTED: targets not usable ({weighting['error']})"
    return title + ", unweighted"


def _legend(overall: dict) -> str:
    return (f"* unreliable: n_eff < 30 or an interval 30 points wide or more.  hidden: fewer than {overall['min_cell']} "
            "respondents, or hidden so that a smaller group cannot be worked out by subtraction.")


def _row(label: str, entry: dict) -> str:
    label = label if len(label) <= 33 else label[:32] + "…"
    if entry["suppressed"]:
        return f"{label:<34}{'hidden':>7}"
    star = "" if entry["reliable"] else " *"
    return (f"{label:<34}{entry['n']:>7}{entry['n_eff']:>9.1f}{_pct(entry['H']):>8}  {_ci(*entry['H_ci']):<15}"
            f"{entry['A']:>6.3f}{entry['M0']:>8.4f}{star}")


def _representativeness(section: dict, lang: str) -> list[str]:
    lines = []
    for variable, rows in section["variables"].items():
        lines += ["", f"{'Sample vs population: ' + variable:<34}{'sample':>8}{'population':>12}"]
        for row in rows:
            sample = "hidden" if row["sample_share"] is None else _pct(row["sample_share"])
            lines.append(f"  {row['label'].get(lang, row['value']):<32}{sample:>8}{_pct(row['population_share']):>12}")
    helpers = section.get("helpers")
    if helpers:
        if helpers["suppressed"]:
            return lines + ["", f"Who helps ({helpers['question']}): hidden, too few answers"]
        lines += ["", f"Who helps ({helpers['question']}), {helpers['respondents']} respondents"]
        for answer in helpers["answers"]:
            shown = "hidden" if answer["suppressed"] else f"{answer['n']} ({_pct(answer['share'])})"
            lines.append(f"  {answer['label'].get(lang, answer['value']):<32}{shown:>16}")
    return lines


def _funnel(funnel: dict) -> list[str]:
    if not funnel.get("overall"):
        return []
    columns = ("invited", "started", "consented", "completed", "declined", "opted_out", "in_progress", "dropped")
    lines = ["", "Funnel" + " " * 14 + "".join(f"{c:>12}" for c in columns)]
    rows = [("overall", funnel["overall"])] + [(f"{a}={e['value']}", e) for a in ("channel", "language") for e in funnel.get(a, [])]
    for name, entry in rows:
        if entry.get("suppressed"):
            lines.append(f"  {name:<18}{'hidden':>12}")
            continue
        lines.append(f"  {name:<18}" + "".join(f"{'-' if entry[c] is None else entry[c]:>12}" for c in columns))
    dropped = funnel["overall"]["dropped_at"]
    if dropped:
        lines.append("  dropped at: " + ", ".join(f"{q} {n}" for q, n in dropped.items()))
    return lines


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _ci(low: float, high: float) -> str:
    return f"[{low * 100:.1f}, {high * 100:.1f}]"
