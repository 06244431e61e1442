"""approval-required, approval-self: someone approved the post, and not its author."""

from __future__ import annotations

import pytest
import yaml

from hospipost.compliance import Severity, run_checks
from hospipost.config import Config
from hospipost.posts import parse_queue_text
from hospipost.rules import all_rules
from hospipost.rules.approval import person_key, same_person
from tests.helpers import NOW, findings, post_with


def messages(config: Config, rule: str, **changes) -> list[str]:
    return [f.message for f in findings(config, post_with(**changes), rule=rule)]


def test_severities_and_docs() -> None:
    rules = all_rules()
    for rule_id in ("approval-required", "approval-self"):
        assert rules[rule_id].severity == Severity.ERROR
        assert rules[rule_id].fix


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


@pytest.mark.parametrize(
    "author, approved_by",
    [
        ("c.dupuis", "c.dupuis"),
        ("c.dupuis", "C. Dupuis"),
        ("c.dupuis", "C.DUPUIS"),
        ("c.dupuis", "c_dupuis"),
        ("c.dupuis", "c-dupuis"),
        ("c.dupuis", "cdupuis"),
        ("c.dupuis", "c.dupuis@chu-angers.fr"),
        ("Claire Dupuis", "claire.dupuis"),
        ("Claire Dupuis", "Dupuis Claire"),
        ("claire.dupuis", "C. Dupuis"),
        ("Hélène Lefèvre", "helene.lefevre"),
        ("Jean-Marc Noël", "jean marc noel"),
        ("c.dupuis", "c.dupuis, C. Dupuis"),
    ],
)
def test_self_approval_is_an_error(config: Config, author: str, approved_by: str) -> None:
    found = findings(config, post_with(author=author, approved_by=approved_by), rule="approval-self")
    assert len(found) == 1 and "approved by its own author" in found[0].message


@pytest.mark.parametrize(
    "author, approved_by",
    [
        ("c.dupuis", "a.renier"),
        ("c.dupuis", "c.dupont"),
        ("c.dupuis", "m.dupuis"),
        ("Claire Dupuis", "Marc Dupuis"),
        ("c.dupuis", "a.renier, c.dupuis"),
        ("c.dupuis", "c.dupuis et a.renier"),
        ("c.dupuis", "Dr A. Renier"),
        (None, "a.renier"),
        ("c.dupuis", None),
    ],
)
def test_approval_by_someone_else_passes(config: Config, author, approved_by) -> None:
    assert findings(config, post_with(author=author, approved_by=approved_by), rule="approval-self") == []


def test_person_key_and_same_person() -> None:
    assert person_key(" C. Dupuis ") == ("c", "dupuis")
    assert person_key("c_dupuis@chu-angers.fr") == ("c", "dupuis")
    assert same_person("Dupuis, Claire".replace(",", ""), "c.dupuis")
    assert not same_person("", "c.dupuis")
    assert not same_person("c.d", "c.dupuis")
