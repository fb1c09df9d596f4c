"""`profiles compute --format table --lang`: headers, legend and names in the reader's language, H, A, M0 and n_eff explained."""

from __future__ import annotations

from test_compute_disclosure import compute


def test_the_table_speaks_french_with_a_legend(runner, tmp_path):
    table = compute(runner, tmp_path, "--min-cell", "5", "--format", "table", "--lang", "fr")
    assert table.startswith("Profil de risque d'exclusion : 87 réponses complètes, seuil k = 1, non pondéré")
    for explained in ("H : part des personnes en risque d'exclusion", "A : intensité", "M0 = H × A : l'incidence ajustée",
                      "n_eff : taille effective de l'échantillon"):
        assert explained in table
    lines = table.splitlines()
    assert "Zone ?" in lines and "IC 95 %" in table and "Indicateurs (ensemble)" in table
    assert any(line.startswith("  Zone C") for line in lines) and any(line.startswith("  Zone A") and line.rstrip().endswith("masqué") for line in lines)
    assert "Exclusion-risk" not in table and "hidden" not in table and "Findings" not in table
    assert "Constats (fr)\n  - Zone C : 50 % à risque (35–65), surtout distance" in table
    assert max(len(line) for line in lines) <= 140


def test_the_table_speaks_english_with_the_same_legend(runner, tmp_path):
    table = compute(runner, tmp_path, "--min-cell", "5", "--format", "table", "--lang", "en")
    assert table.startswith("Exclusion-risk profile: 87 completed responses, cutoff k = 1, unweighted")
    for explained in ("H: share of respondents at risk of exclusion", "A: intensity", "M0 = H × A: the adjusted headcount",
                      "n_eff: effective sample size"):
        assert explained in table
    assert "Area?" in table.splitlines() and "Zone" not in table and "Constats" not in table
