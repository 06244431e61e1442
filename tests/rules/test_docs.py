"""Every rule documents itself the same way (what `hospipost rules --explain` prints): written
once here for all the rules, each rule's own test file checks only its own references."""

from __future__ import annotations

import re

import pytest

from hospipost.compliance import Severity
from hospipost.rules import RULE_MODULES, all_rules

SECTIONS = ("Checks", "Why", "Fix", "Examples")


@pytest.mark.parametrize("rule_id", list(RULE_MODULES))
def test_every_rule_documents_checks_why_fix_and_examples(rule_id: str) -> None:
    rule = all_rules()[rule_id]
    headings = {match.group(1) for match in re.finditer(r"(?m)^(\w+)(?::|,[^\n]*)?$", rule.doc)}
    assert set(SECTIONS) <= headings, f"{rule_id} lacks {set(SECTIONS) - headings}"
    assert rule.summary.endswith(".") and rule.summary[0].isupper(), rule.summary
    assert rule.fix.strip() and isinstance(rule.severity, Severity)
