"""The rule registry and its contracts: one module per id, no cycle between the engine and the rules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from hospipost.rules import RULE_MODULES, all_rules

RULES_DIR = Path(__file__).resolve().parents[2] / "hospipost" / "rules"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at module level or inside a function."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.py")), ids=lambda path: path.name)
def test_rules_never_import_the_engine(path: Path) -> None:
    assert "hospipost.compliance" not in imported_modules(path)


def test_the_contracts_are_a_leaf() -> None:
    assert not {m for m in imported_modules(RULES_DIR / "contracts.py") if m.startswith("hospipost.")} - {
        "hospipost.config",
        "hospipost.networks",
        "hospipost.networks.base",
        "hospipost.posts",
    }


def test_every_id_is_defined_by_its_module() -> None:
    rules = all_rules()
    assert list(rules) == list(RULE_MODULES)
    for rule_id, module_name in RULE_MODULES.items():
        assert rules[rule_id].check.__module__ == f"hospipost.rules.{module_name}"
