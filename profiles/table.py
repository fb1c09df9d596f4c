"""The profile JSON as plain text for a terminal (`profiles compute --format table`), in the page's language."""

from __future__ import annotations

import textwrap

from flows.model import Flow
from flows.page_labels import question_label
from profiles.labels import group_label, indicator_label, value_label

# Every word the table prints, per language; a language without its own words reads English.
WORDS = {
    "en": {
        "title": "Exclusion-risk profile: {n} completed responses, cutoff k = {k:g}", "fewer": "fewer than {n}",
        "weighted": ", weighted to census targets (design effect {deff:.2f}{status})",
        "not_converged": "; NOT converged, margins off by up to {error:.2%}",
        "unusable": ", UNWEIGHTED: targets not usable ({error})", "unweighted": ", unweighted",
        "legend": ("H: share of respondents at risk of exclusion (deprived in at least k of the weighted indicators), 95% CI.\n"
                   "A: intensity, the average share of indicators in which those at risk are deprived.\n"
                   "M0 = H × A: the adjusted headcount, which falls when fewer people are at risk or they lack less.\n"
                   "n: respondents; n_eff: effective sample size after weighting (fewer than n when weights vary).\n"
                   "* unreliable: n_eff < 30 or an interval 30 points wide or more.\n"
                   "hidden: fewer than {min_cell} respondents, or hidden so that a smaller group cannot be worked out by subtraction."),
        "overall": "everyone", "hidden": "hidden", "ci": "95% CI",
        "indicators": "Indicators (everyone)", "deprived": "deprived", "censored": "at risk", "share_m0": "share of M0",
        "unweighted_line": "Unweighted: H {H} {ci}, A {A:.3f}, M0 {M0:.4f}", "robustness": "Robustness (everyone, by cutoff k)",
        "sample_vs": "Sample vs population: ", "sample": "sample", "population": "population",
        "helpers_hidden": "Who helps ({question}): hidden, too few answers", "helpers": "Who helps ({question}), {n} respondents",
        "funnel": "Funnel", "dropped_at": "dropped at: ", "findings": "Findings", "no_findings": "(no group is both large and precise enough yet)",
        "caution": "CAUTION", "coverage": "Without a phone of their own ({question})", "respondents": "respondents",
        "in_population": "population (census target)",
        "columns": {"invited": "invited", "started": "started", "consented": "consented", "completed": "completed",
                    "declined": "declined", "opted_out": "opted out", "in_progress": "in progress", "dropped": "dropped"},
    },
    "fr": {
        "title": "Profil de risque d'exclusion : {n} réponses complètes, seuil k = {k:g}", "fewer": "moins de {n}",
        "weighted": ", pondéré sur le recensement (effet de plan {deff:.2f}{status})",
        "not_converged": " ; NON convergé, marges décalées jusqu'à {error:.2%}",
        "unusable": ", NON PONDÉRÉ : cibles inutilisables ({error})", "unweighted": ", non pondéré",
        "legend": ("H : part des personnes en risque d'exclusion (en privation pour au moins k des indicateurs pondérés), IC 95 %.\n"
                   "A : intensité, la part moyenne des indicateurs où les personnes à risque sont en privation.\n"
                   "M0 = H × A : l'incidence ajustée, qui baisse quand moins de personnes sont à risque ou qu'elles manquent de moins.\n"
                   "n : personnes qui ont répondu ; n_eff : taille effective de l'échantillon après pondération (moins que n si les poids varient).\n"
                   "* peu fiable : n_eff < 30 ou intervalle de 30 points ou plus.\n"
                   "masqué : moins de {min_cell} personnes, ou masqué pour qu'on ne retrouve pas un petit groupe par soustraction."),
        "overall": "ensemble", "hidden": "masqué", "ci": "IC 95 %",
        "indicators": "Indicateurs (ensemble)", "deprived": "privation", "censored": "et risque", "share_m0": "part de M0",
        "unweighted_line": "Non pondéré : H {H} {ci}, A {A:.3f}, M0 {M0:.4f}", "robustness": "Robustesse (ensemble, selon le seuil k)",
        "sample_vs": "Échantillon / population : ", "sample": "échant.", "population": "population",
        "helpers_hidden": "Qui aide ({question}) : masqué, trop peu de réponses", "helpers": "Qui aide ({question}), {n} personnes",
        "funnel": "Parcours", "dropped_at": "abandons à : ", "findings": "Constats", "no_findings": "(aucun groupe n'est encore assez grand et précis)",
        "caution": "ATTENTION", "coverage": "Sans téléphone à elles ({question})", "respondents": "répondants",
        "in_population": "population (cible de recensement)",
        "columns": {"invited": "invités", "started": "commencés", "consented": "consentis", "completed": "terminés",
                    "declined": "refusés", "opted_out": "désinscrits", "in_progress": "en cours", "dropped": "abandons"},
    },
}


def render_table(profile: dict, lang: str, flow: Flow | None = None) -> str:
    """Every section of the profile, aligned, in one language: headers, group names and indicators (from the flow)."""
    words = WORDS.get(lang, WORDS["en"])
    overall = profile["overall"]
    figures = f"{'':<34}{'n':>7}{'n_eff':>9}{'H':>8}  {words['ci']:<15}{'A':>6}{'M0':>8}"
    lines = [_title(profile, words)]
    # What may make every figure below wrong comes before them.
    for warning in profile["representativeness"].get("warnings") or []:
        lines.append(_wrap(f"{words['caution']}{' : ' if lang == 'fr' else ': '}{_in(warning['text'], lang)}"))
    lines += [words["legend"].format(min_cell=overall["min_cell"]), "", figures, _row(words["overall"], overall, words)]
    for group, entries in profile["groups"].items():
        lines.append(group_label(flow, group, lang) if flow else group)
        lines.extend(_row("  " + entry["label"].get(lang, str(entry["value"])), entry, words) for entry in entries)
    if not overall["suppressed"]:
        names = _indicator_names(flow, lang)
        lines += ["", f"{words['indicators']:<34}{words['deprived']:>10}{words['ci']:>16}{words['censored']:>10}{words['share_m0']:>13}"]
        for indicator, share in overall["deprived_share"].items():
            low, high = overall["deprived_share_ci"][indicator]
            name = _cut(names.get(indicator, indicator), 32)
            lines.append(f"  {name:<32}{_pct(share):>10}{_ci(low, high):>16}{_pct(overall['censored_headcounts'][indicator]):>10}"
                         f"{_pct(overall['contributions'][indicator]):>13}")
        if "raw" in overall:
            raw = overall["raw"]
            lines += ["", words["unweighted_line"].format(H=_pct(raw["H"]), ci=_ci(*raw["H_ci"]), A=raw["A"], M0=raw["M0"])]
        sensitivity = (profile["representativeness"].get("coverage") or {}).get("sensitivity")
        if sensitivity:
            lines += ["", _wrap(_in(sensitivity["text"], lang))]
    if profile["robustness"]:
        lines += ["", words["robustness"]]
        lines += [f"  k = {item['cutoff']:<6g} H {_pct(item['H']):>6}   M0 {item['M0']:.4f}" for item in profile["robustness"]]
    lines += _representativeness(profile["representativeness"], lang, words, flow)
    lines += _funnel(profile["funnel"], words, lang, flow)
    findings = profile["findings"]
    for language, sentences in ({lang: findings[lang]} if lang in findings else findings).items():
        sentences = sentences or [words["no_findings"]]
        lines += ["", f"{words['findings']} ({language})"] + [f"  - {sentence}" for sentence in sentences]
    return "\n".join(lines) + "\n"


def _title(profile: dict, words: dict) -> str:
    overall = profile["overall"]
    weighting = profile["representativeness"]["weighting"]
    n = words["fewer"].format(n=overall["min_cell"]) if overall["n"] is None else str(overall["n"])
    title = words["title"].format(n=n, k=overall["cutoff"])
    if weighting.get("applied"):
        status = "" if weighting["converged"] else words["not_converged"].format(error=weighting["max_margin_error"])
        return title + words["weighted"].format(deff=weighting["design_effect"], status=status)
    if weighting.get("error"):
        return title + words["unusable"].format(error=weighting["error"])
    return title + words["unweighted"]


def _indicator_names(flow: Flow | None, lang: str) -> dict[str, str]:
    if flow is None or flow.profile is None:
        return {}
    return {i.id: indicator_label(i, lang) for d in flow.profile.dimensions for i in d.indicators}


def _cut(label: str, width: int) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def _row(label: str, entry: dict, words: dict) -> str:
    label = _cut(label, 33)
    if entry["suppressed"]:
        return f"{label:<34}{words['hidden']:>7}"
    star = "" if entry["reliable"] else " *"
    return (f"{label:<34}{entry['n']:>7}{entry['n_eff']:>9.1f}{_pct(entry['H']):>8}  {_ci(*entry['H_ci']):<15}"
            f"{entry['A']:>6.3f}{entry['M0']:>8.4f}{star}")


def _representativeness(section: dict, lang: str, words: dict, flow: Flow | None) -> list[str]:
    lines = []
    for variable, rows in section["variables"].items():
        name = group_label(flow, variable, lang) if flow else variable
        lines += ["", f"{_cut(words['sample_vs'] + name, 33):<34}{words['sample']:>8}{words['population']:>12}"]
        for row in rows:
            sample = words["hidden"] if row["sample_share"] is None else _pct(row["sample_share"])
            lines.append(f"  {row['label'].get(lang, row['value']):<32}{sample:>8}{_pct(row['population_share']):>12}")
    helpers = section.get("helpers")
    if helpers:
        if helpers["suppressed"]:
            return lines + ["", words["helpers_hidden"].format(question=helpers["question"])]
        lines += ["", words["helpers"].format(question=helpers["question"], n=helpers["respondents"])]
        for answer in helpers["answers"]:
            shown = words["hidden"] if answer["suppressed"] else f"{answer['n']} ({_pct(answer['share'])})"
            lines.append(f"  {answer['label'].get(lang, answer['value']):<32}{shown:>16}")
    return lines + _coverage(section.get("coverage"), lang, words)


def _coverage(coverage: dict | None, lang: str, words: dict) -> list[str]:
    """The share without a phone of their own, overall and by channel."""
    if not coverage:
        return []
    lines = ["", words["coverage"].format(question=_in(coverage["label"], lang))]
    overall = words["hidden"] if coverage["sample_share"] is None else _pct(coverage["sample_share"])
    lines.append(f"  {words['respondents']:<32}{overall:>8}")
    if coverage["population_share"] is not None:
        lines.append(f"  {words['in_population']:<32}{_pct(coverage['population_share']):>8}")
    for row in coverage["by_channel"]:
        shown = words["hidden"] if row["share"] is None else _pct(row["share"])
        lines.append(f"  {_in(row['label'], lang):<32}{shown:>8}")
    return lines


def _wrap(sentence: str) -> str:
    return textwrap.fill(sentence, width=110)


def _in(texts: dict, lang: str) -> str:
    """A {language: text} in the table's language, else any."""
    return texts.get(lang) or next(iter(texts.values()), "")


def _funnel(funnel: dict, words: dict, lang: str, flow: Flow | None) -> list[str]:
    if not funnel.get("overall"):
        return []
    columns = ("invited", "started", "consented", "completed", "declined", "opted_out", "in_progress", "dropped")
    lines = ["", f"{words['funnel']:<20}" + "".join(f"{words['columns'][c]:>12}" for c in columns)]
    rows = [(words["overall"], funnel["overall"])] + [(_cut(_group(flow, a, e["value"], lang), 18), e)
                                                       for a in ("channel", "language") for e in funnel.get(a, [])]
    for name, entry in rows:
        if entry.get("suppressed"):
            lines.append(f"  {name:<18}{words['hidden']:>12}")
            continue
        lines.append(f"  {name:<18}" + "".join(f"{'-' if entry[c] is None else entry[c]:>12}" for c in columns))
    dropped = funnel["overall"]["dropped_at"]
    if dropped:
        questions = {q.id: question_label(q, lang) for q in flow.questions} if flow else {}
        lines.append("  " + words["dropped_at"] + ", ".join(f"{questions.get(q, q)} {n}" for q, n in dropped.items()))
    return lines


def _group(flow: Flow | None, variable: str, value, lang: str) -> str:
    """"Canal : SMS" from the flow's words, else channel=sms."""
    if flow is None:
        return f"{variable}={value}"
    return f"{group_label(flow, variable, lang)}{' : ' if lang == 'fr' else ': '}{value_label(flow, variable, value).get(lang, str(value))}"


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _ci(low: float, high: float) -> str:
    return f"[{low * 100:.1f}, {high * 100:.1f}]"
