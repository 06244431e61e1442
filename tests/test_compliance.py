"""The engine: severities, overrides and ignores."""

from __future__ import annotations

import json
import time
from pathlib import Path

import yaml
from click.testing import CliRunner

from hospipost import compliance
from hospipost.cli import cli
from hospipost.config import Config
from tests.helpers import CONFIG_YAML, NOW, findings, make_posts, post_with


def test_overrides_and_ignores(config: Config) -> None:
    config.compliance.rules["approval-required"] = compliance_setting(False)
    assert not [f for f in findings(config, post_with(approved_by=None)) if f.rule == "approval-required"]
    ignored = post_with(approved_by="C. Dupuis", ignore=[{"rule": "approval-self", "reason": "seule en poste"}])
    [finding] = [f for f in findings(config, ignored) if f.rule == "approval-self"]
    assert finding.ignored == "seule en poste"


def test_pii_nir_cannot_be_ignored(config: Config) -> None:
    post = post_with(
        text="Le patient 2 95 10 99 126 111 93 remercie le service.", ignore=[{"rule": "pii-nir", "reason": "test"}]
    )
    [finding] = [f for f in findings(config, post) if f.rule == "pii-nir"]
    assert finding.ignored is None and "cannot be ignored" in finding.message
    assert "2 95 10 99 126 111 93" not in (finding.excerpt or "")


def compliance_setting(enabled: bool, severity: compliance.Severity | None = None):
    from hospipost.config import RuleSetting

    return RuleSetting(enabled, severity, 1)


def test_run_checks_on_no_posts(config: Config) -> None:
    assert compliance.run_checks(make_posts(config), config, NOW).findings == []


def test_many_findings_in_a_long_alt_text_are_located_in_linear_time(tmp_path: Path) -> None:
    """Issue 14.6: lines were counted from the start of the text for every finding (quadratic:
    40 000 findings in a 720 000-character alt text took over 5 s; strings are now capped at
    100 000 characters too); each finding keeps its exact line."""
    alt = "Affiche du programme :\n" + "Lien bit.ly/a1 et\n" * 5_000
    post = post_with(networks=["facebook"], media=[{"file": "affiche.jpg", "alt": alt}])
    (tmp_path / "posts").mkdir()
    (tmp_path / "config.yaml").write_text(CONFIG_YAML, encoding="utf-8")
    queue = tmp_path / "posts" / "news.yaml"
    queue.write_text(yaml.safe_dump({"posts": [post]}, allow_unicode=True, width=1_000_000), encoding="utf-8")
    args = ["--config", str(tmp_path / "config.yaml"), "check", "--format", "json", "--now", "2026-11-23 11:00"]

    started = time.perf_counter()
    result = CliRunner().invoke(cli, args)
    elapsed = time.perf_counter() - started

    links = [f for f in json.loads(result.output)["findings"] if f["rule"] == "link-shortener"]
    assert len(links) == 5_000
    first_line = links[0]["line"]
    assert [f["line"] for f in links] == list(range(first_line, first_line + 5_000))
    assert elapsed < 10.0, f"check took {elapsed:.1f} s"
