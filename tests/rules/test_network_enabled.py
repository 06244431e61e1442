"""network-enabled: a post to a network config.yaml does not enable is an error for check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hospipost.cli import cli
from hospipost.compliance import Severity
from hospipost.rules import all_rules
from tests.helpers import CONFIG_YAML, post_with

RULE = "network-enabled"


def check(folder: Path, config_yaml: str, *posts: dict) -> tuple[int, list[dict]]:
    """`hospipost check --format json` on one queue file; the exit code and this rule's findings."""
    (folder / "posts").mkdir(exist_ok=True)
    (folder / "config.yaml").write_text(config_yaml, encoding="utf-8")
    (folder / "posts" / "news.yaml").write_text(
        yaml.safe_dump({"posts": list(posts)}, allow_unicode=True), encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli, ["--config", str(folder / "config.yaml"), "check", "--format", "json", "--now", "2026-11-23 11:00"]
    )
    return result.exit_code, [f for f in json.loads(result.output)["findings"] if f["rule"] == RULE]


def test_severity_and_doc() -> None:
    rule = all_rules()[RULE]
    assert rule.severity == Severity.ERROR and not rule.ignorable


def test_enabled_networks_pass(tmp_path: Path) -> None:
    assert check(tmp_path, CONFIG_YAML, post_with()) == (0, [])


@pytest.mark.parametrize(
    "config_change, networks, flagged",
    [
        (
            ("mastodon: {enabled: true, instance", "mastodon: {enabled: false, instance"),
            ["x", "mastodon"],
            ["mastodon"],
        ),
        (('  linkedin: {enabled: true, organization: "urn:li:organization:123"}\n', ""), ["linkedin"], ["linkedin"]),
        (("x: {enabled: true}", "x: {enabled: false}"), ["x", "facebook", "bluesky"], ["x"]),
    ],
)
def test_a_disabled_or_absent_network_is_an_error(
    tmp_path: Path, config_change: tuple[str, str], networks: list[str], flagged: list[str]
) -> None:
    assert config_change[0] in CONFIG_YAML
    exit_code, found = check(tmp_path, CONFIG_YAML.replace(*config_change), post_with(networks=networks))
    assert exit_code == 1
    assert [(f["network"], f["severity"]) for f in found] == [(name, "error") for name in flagged]
    assert all(f"{f['network']} is not enabled in config.yaml" in f["message"] for f in found)


@pytest.mark.parametrize("config_yaml", ["", "organisation: CHU d'Angers\ntimezone: Europe/Paris\n", "networks: {}\n"])
def test_a_config_without_networks_sends_nowhere(tmp_path: Path, config_yaml: str) -> None:
    exit_code, found = check(tmp_path, config_yaml, post_with(networks=None))
    assert exit_code == 1
    assert [f["message"] for f in found] == [
        "This post goes to no network: config.yaml enables none, so publish would send it nowhere."
    ]


def test_an_ignore_does_not_hide_it(tmp_path: Path) -> None:
    post = post_with(networks=["mastodon"], ignore=[{"rule": RULE, "reason": "bientôt activé"}])
    exit_code, found = check(
        tmp_path, CONFIG_YAML.replace("mastodon: {enabled: true", "mastodon: {enabled: false"), post
    )
    assert exit_code == 1 and found[0]["ignored"] is None and "cannot be ignored" in found[0]["message"]


def test_silent_with_the_embedded_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "news.yaml").write_text(yaml.safe_dump({"posts": [post_with(networks=None)]}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "news.yaml", "--format", "json", "--now", "2026-11-23 11:00"])
    assert [f for f in json.loads(result.output)["findings"] if f["rule"] == RULE] == []
