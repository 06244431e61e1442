"""approval-required: someone approved the post."""

from __future__ import annotations

import pytest
import yaml

from hospipost.compliance import Severity, run_checks
from hospipost.config import Config
from hospipost.posts import parse_queue_text
from hospipost.rules import all_rules
from tests.helpers import NOW, findings, post_with


def messages(config: Config, rule: str, **changes) -> list[str]:
    return [f.message for f in findings(config, post_with(**changes), rule=rule)]


def test_severity_and_docs() -> None:
    rule = all_rules()["approval-required"]
    assert rule.severity == Severity.ERROR
    assert rule.fix


@pytest.mark.parametrize(
    "changes",
    [
        {"approved_by": None},
        {"approved_by": ""},
        {"approved_by": "   "},
        {"approved_by": None, "author": None},
        {"approved_by": None, "kind": "alert", "valid_until": "2026-12-02 19:00"},
        {"approved_by": None, "draft": True},
    ],
)
def test_missing_approval_is_an_error(config: Config, changes: dict) -> None:
    assert messages(config, "approval-required", **changes) == ["no `approved_by:`: the post has not been approved"]


@pytest.mark.parametrize(
    "approved_by", ["a.renier", "A. Renier", "Dr Anne Renier", "a.renier, b.martin", "comité éditorial", "c.dupuis"]
)
def test_any_approval_satisfies_approval_required(config: Config, approved_by: str) -> None:
    assert messages(config, "approval-required", approved_by=approved_by) == []


def test_approval_from_the_queue_defaults_counts(config: Config) -> None:
    text = yaml.safe_dump({"defaults": {"approved_by": "a.renier"}, "posts": [post_with(approved_by=None)]})
    posts = parse_queue_text(text, config.root / "posts" / "news.yaml", config)
    assert [f for f in run_checks(posts, config, NOW).findings if f.rule.startswith("approval")] == []
