"""The engine: severities, overrides and ignores."""

from __future__ import annotations


from hospipost import compliance
from hospipost.config import Config
from tests.helpers import NOW, findings, make_posts, post_with


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
