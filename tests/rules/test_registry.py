"""The rule registry and its contracts: one module per id, named after it, no cycle between the engine and the rules."""

from __future__ import annotations

import ast
from importlib import import_module
from pathlib import Path

import pytest

from hospipost.rules import RULE_MODULES, all_rules
from hospipost.rules.contracts import Rule, Severity, rule

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


def test_each_rule_has_a_module_named_after_its_id_and_defining_only_it() -> None:
    for rule_id, module_name in RULE_MODULES.items():
        assert module_name == rule_id.replace("-", "_")
        module = import_module(f"hospipost.rules.{module_name}")
        assert [v.id for v in vars(module).values() if isinstance(v, Rule)] == [rule_id]
    public = {path.stem for path in RULES_DIR.glob("*.py") if not path.stem.startswith("_")} - {"contracts"}
    assert public == set(RULE_MODULES.values()), "a module in rules/ is neither a rule nor private (_name)"


def test_a_rules_fix_is_its_docstrings_fix_section_as_one_paragraph() -> None:
    def check(post, ctx):
        """A summary.

        Checks, in each text:
          something.

        Fix:
          Do this,
          then that.

        Examples:
          flagged: x
        """
        return ()

    assert rule("x-test", Severity.WARNING)(check).fix == "Do this, then that."
    assert Rule("x-test", Severity.WARNING, check, "A summary without sections.").fix == ""


def test_severities_are_the_words_of_config_and_reports_ordered_by_rank() -> None:
    assert [str(severity) for severity in Severity] == ["suggestion", "warning", "error"]
    assert Severity("warning") is Severity.WARNING and f"{Severity.ERROR:<7}|" == "error  |"
    assert Severity.SUGGESTION < Severity.WARNING < Severity.ERROR  # not alphabetical: "error" < "warning"
    assert Severity.ERROR >= Severity.WARNING and not Severity.WARNING >= Severity.ERROR
    assert max(Severity) is Severity.ERROR and sorted(Severity, reverse=True)[-1] is Severity.SUGGESTION
    assert [s.rank for s in Severity] == [1, 2, 3]
