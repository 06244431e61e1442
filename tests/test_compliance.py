"""The engine: severities, overrides, ignores, and the same findings whether it runs in one
process or spreads a large run over several."""

from __future__ import annotations

import pytest

from hospipost import compliance
from hospipost.config import Config
from tests.helpers import NOW, findings, make_posts, post_with


def test_a_parallel_run_finds_exactly_what_a_sequential_one_finds(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    posts = [post_with(id=f"p{n}", text=f"Post {n} : appelez le 06 12 34 56 {n:02d}, guérison garantie !", approved_by=None if n % 3 else "a.renier")
             for n in range(40)]
    sequential = [(f.rule, f.post.id, f.line, f.message, f.excerpt) for f in findings(config, *posts)]
    monkeypatch.setattr(compliance, "PARALLEL_MIN_POSTS", 1)
    parallel = [(f.rule, f.post.id, f.line, f.message, f.excerpt) for f in findings(config, *posts)]
    assert parallel == sequential and len(sequential) > 40


def test_overrides_and_ignores(config: Config) -> None:
    config.compliance.rules["approval-required"] = compliance_setting(False)
    assert not [f for f in findings(config, post_with(approved_by=None)) if f.rule == "approval-required"]
    ignored = post_with(approved_by="C. Dupuis", ignore=[{"rule": "approval-self", "reason": "seule en poste"}])
    [finding] = [f for f in findings(config, ignored) if f.rule == "approval-self"]
    assert finding.ignored == "seule en poste"


def test_pii_nir_cannot_be_ignored(config: Config) -> None:
    post = post_with(text="Le patient 2 95 10 99 126 111 93 remercie le service.", ignore=[{"rule": "pii-nir", "reason": "test"}])
    [finding] = [f for f in findings(config, post) if f.rule == "pii-nir"]
    assert finding.ignored is None and "cannot be ignored" in finding.message
    assert "2 95 10 99 126 111 93" not in (finding.excerpt or "")


def compliance_setting(enabled: bool, severity: str | None = None):
    from hospipost.config import RuleSetting

    return RuleSetting(enabled, severity, 1)


def test_run_checks_on_no_posts(config: Config) -> None:
    assert compliance.run_checks(make_posts(config), config, NOW).findings == []
