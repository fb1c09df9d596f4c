"""Layers point down only: a module never imports from a layer above its own."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# models, flows and profiles are pure; services above them; channels and jobs above services; pages and commands on top.
LAYER = {"models": 0, "flows": 0, "profiles": 0, "palabre": 1, "bots": 2, "workers": 2, "dashboard": 3, "api": 3, "cli": 3}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & LAYER.keys()


def test_no_module_imports_from_a_layer_above_its_own():
    upward = []
    for package, layer in LAYER.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for target in imported_packages(path):
                if LAYER[target] > layer:
                    upward.append(f"{path.relative_to(ROOT)} imports {target}")
    assert upward == []


def test_the_pure_layers_import_no_service():
    for package in ("models", "flows", "profiles"):
        for path in (ROOT / package).rglob("*.py"):
            assert not imported_packages(path) - {"models", "flows", "profiles"}, path
