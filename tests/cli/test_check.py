"""`hospipost check` and `hospipost rules` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hospipost.cli import cli
from hospipost.rules import RULE_MODULES
from tests.helpers import CONFIG_YAML

CLEAN = """\
# Actualités
posts:
  - id: salle-attente
    at: 2026-12-01 10:00
    text: Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie.
    author: c.dupuis
    approved_by: a.renier
"""

FLAWED = """\
posts:
  - id: sans-validation
    at: 2026-12-02 10:00
    text: Le service de cardiologie accueille ses nouveaux internes cette semaine.
    author: c.dupuis
  - id: auto-validation
    at: 2026-12-03 10:00
    text: Portes ouvertes de l'école d'infirmiers samedi prochain au CHU d'Angers.
    author: c.dupuis
    approved_by: C. Dupuis
    ignore:
      - {rule: approval-self, reason: "directrice de la communication, seule en poste cette semaine"}
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "posts").mkdir()
    (tmp_path / "config.yaml").write_text(CONFIG_YAML, encoding="utf-8")
    (tmp_path / "posts" / "news.yaml").write_text(CLEAN, encoding="utf-8")
    return tmp_path


def run(site: Path, *args: str, **kwargs) -> CliRunner.Result:
    return CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), *args], **kwargs)


def test_clean_queues_exit_0(site: Path) -> None:
    result = run(site, "check", "--now", "2026-11-23 11:00")
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings, 0 suggestions in 1 post" in result.output


def test_findings_exit_1_with_file_line_rule_and_fix(site: Path) -> None:
    (site / "posts" / "flawed.yaml").write_text(FLAWED, encoding="utf-8")
    result = run(site, "check", "--now", "2026-11-23 11:00")
    assert result.exit_code == 1, result.output
    assert "posts/flawed.yaml" in result.output
    assert "sans-validation" in result.output and "approval-required" in result.output
    assert "fix:" in result.output
    assert "ignored" in result.output and "seule en poste" in result.output
    assert "1 error, 0 warnings, 0 suggestions in 3 posts (1 ignored with a reason)" in result.output


def test_json_format(site: Path) -> None:
    (site / "posts" / "flawed.yaml").write_text(FLAWED, encoding="utf-8")
    result = run(site, "check", "--format", "json", "--now", "2026-11-23 11:00")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["posts"] == 3 and document["errors"] == 1 and document["warnings"] == 0
    finding = next(f for f in document["findings"] if f["rule"] == "approval-required")
    assert finding == {
        "rule": "approval-required",
        "severity": "error",
        "post": "sans-validation",
        "queue": "flawed",
        "file": str((site / "posts" / "flawed.yaml").resolve()),
        "line": 2,
        "network": None,
        "message": finding["message"],
        "excerpt": None,
        "ignored": None,
    }
    ignored = next(f for f in document["findings"] if f["rule"] == "approval-self")
    assert ignored["ignored"].startswith("directrice")


def test_sarif_format(site: Path) -> None:
    (site / "posts" / "flawed.yaml").write_text(FLAWED, encoding="utf-8")
    result = run(site, "check", "--format", "sarif", "--now", "2026-11-23 11:00")
    document = json.loads(result.output)
    assert document["version"] == "2.1.0"
    run_ = document["runs"][0]
    rule_ids = [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    assert rule_ids == list(RULE_MODULES)
    results = {r["ruleId"]: r for r in run_["results"]}
    assert results["approval-required"]["level"] == "error"
    region = results["approval-required"]["locations"][0]["physicalLocation"]
    assert region["region"]["startLine"] == 2 and region["artifactLocation"]["uri"].endswith("posts/flawed.yaml")
    assert results["approval-self"]["suppressions"][0]["kind"] == "inSource"


def test_github_format(site: Path) -> None:
    (site / "posts" / "flawed.yaml").write_text(FLAWED, encoding="utf-8")
    result = run(site, "check", "--format", "github", "--now", "2026-11-23 11:00")
    lines = result.output.splitlines()
    assert any(
        line.startswith("::error file=") and "line=2" in line and "title=hospipost approval-required::" in line
        for line in lines
    )
    assert not any("approval-self" in line for line in lines)


def test_strict_turns_warnings_into_failure(site: Path) -> None:
    # A post in the past that was never published is a warning (schedule-past).
    result = run(site, "check", "--now", "2026-12-05 11:00")
    assert result.exit_code == 0 and "1 warning" in result.output
    assert run(site, "check", "--strict", "--now", "2026-12-05 11:00").exit_code == 1


def test_rule_overrides_from_config(site: Path) -> None:
    config = (
        (site / "config.yaml").read_text().replace("compliance:\n", "compliance:\n  rules:\n    schedule-past: off\n")
    )
    (site / "config.yaml").write_text(config)
    result = run(site, "check", "--strict", "--now", "2026-12-05 11:00")
    assert result.exit_code == 0 and "0 warnings" in result.output


def test_check_given_paths_only(site: Path) -> None:
    (site / "posts" / "flawed.yaml").write_text(FLAWED, encoding="utf-8")
    result = run(site, "check", str(site / "posts" / "news.yaml"), "--now", "2026-11-23 11:00")
    assert result.exit_code == 0 and "in 1 post" in result.output


def test_check_without_config_uses_the_embedded_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "news.yaml").write_text(CLEAN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "news.yaml", "--now", "2026-11-23 11:00"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "content, message",
    [
        (b"posts:\n  - id: a\n    text: [\n", "news.yaml:4: invalid YAML"),
        (b"posts:\n  - id: a\n    at: 2026-12-01 10:00\n    text: Fi\xe8vre\n", "news.yaml:4: not valid UTF-8"),
        (
            b"posts:\n  - id: a\n    at: 2026-12-01 10:00\n    text: x\n    networks: [twitter]\n",
            "news.yaml:5: unknown network 'twitter'",
        ),
    ],
)
def test_unreadable_input_exits_2_with_one_line(site: Path, content: bytes, message: str) -> None:
    (site / "posts" / "news.yaml").write_bytes(content)
    result = run(site, "check")
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_every_unreadable_file_is_reported(site: Path) -> None:
    (site / "posts" / "a.yaml").write_text("posts: [\n")
    (site / "posts" / "b.yaml").write_text("posts: nope\n")
    result = run(site, "check")
    assert result.exit_code == 2
    assert "a.yaml" in result.output and "b.yaml" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--config", "missing.yaml", "check"], "missing.yaml: no such config file"),
        (["check", "--format", "xml"], "Invalid value for '--format'"),
        (["check", "--now", "bientôt"], "--now: 'bientôt' is not a date and time"),
        (["check", "nowhere.yaml"], "nowhere.yaml: no such file"),
    ],
)
def test_bad_usage_exits_2(site: Path, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_broken_config_exits_2(site: Path) -> None:
    (site / "config.yaml").write_text("timezone: Mars/Olympus\n")
    result = run(site, "check")
    assert result.exit_code == 2 and "config.yaml:1: unknown time zone 'Mars/Olympus'" in result.output


def test_config_from_environment(site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOSPIPOST_CONFIG", str(site / "config.yaml"))
    monkeypatch.chdir(tmp_path.parent)
    result = CliRunner().invoke(cli, ["check", "--now", "2026-11-23 11:00"])
    assert result.exit_code == 0 and "in 1 post" in result.output


def test_rules_lists_every_rule_with_its_state(site: Path) -> None:
    config = (
        (site / "config.yaml")
        .read_text()
        .replace("compliance:\n", "compliance:\n  rules:\n    a11y-caps: off\n    a11y-emoji: {severity: suggestion}\n")
    )
    (site / "config.yaml").write_text(config)
    result = run(site, "rules")
    assert result.exit_code == 0
    for rule_id in RULE_MODULES:
        assert rule_id in result.output
    assert "suggestion (default warning)" in result.output
    caps_line = next(line for line in result.output.splitlines() if line.startswith("a11y-caps"))
    assert " off" in caps_line
    assert "not ignorable" in next(line for line in result.output.splitlines() if line.startswith("pii-nir"))


@pytest.mark.parametrize("rule_id", list(RULE_MODULES))
def test_every_rule_explains_what_why_and_how(site: Path, rule_id: str) -> None:
    result = run(site, "rules", "--explain", rule_id)
    assert result.exit_code == 0
    assert result.output.startswith(rule_id)
    text = result.output.lower()
    assert "why" in text and "fix" in text and "example" in text, result.output


def test_explain_an_unknown_rule(site: Path) -> None:
    result = run(site, "rules", "--explain", "pii-nr")
    assert result.exit_code == 2 and "did you mean pii-nir?" in result.output


def test_help_of_every_command_has_an_example() -> None:
    def walk(group, prefix):
        for name, command in group.commands.items():
            yield [*prefix, name], command
            if hasattr(command, "commands"):
                yield from walk(command, [*prefix, name])

    for path, command in walk(cli, []):
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert command.help, f"{' '.join(path)} has no help text"


def test_every_message_of_check_json_is_a_sentence(tmp_path: Path) -> None:
    """Messages start with a capital and end with a full stop in every format, json included."""
    import json
    import shutil

    from tests.helpers import make_config

    config = make_config(tmp_path / "site")
    corpus = Path(__file__).parents[1] / "corpus"
    for name in ("privacy.yaml", "content.yaml", "accessibility.yaml"):
        shutil.copy(corpus / name, config.root / "posts" / name)
    result = CliRunner().invoke(cli, ["--config", str(config.path), "check", "--format", "json"])
    findings = json.loads(result.output)["findings"]
    assert len(findings) > 30
    not_sentences = [f["message"] for f in findings if f["message"][0].islower() or f["message"][-1] not in ".!?»)…"]
    assert not_sentences == []


def with_rules(site: Path, rules_yaml: str) -> None:
    config = (site / "config.yaml").read_text().replace("compliance:\n", f"compliance:\n  rules:\n{rules_yaml}")
    (site / "config.yaml").write_text(config)


@pytest.mark.parametrize(
    "rules_yaml, message",
    [
        (
            "    duplicate-text: {window_days: two weeks}\n",
            "config.yaml:{line}: compliance.rules.duplicate-text.window_days must be a number, got str 'two weeks'",
        ),
        (
            "    duplicate-text:\n      severity: error\n      window_days: 0\n",
            "config.yaml:{next}: compliance.rules.duplicate-text.window_days must be a number of days from 1 to 366, got 0",
        ),
        (
            "    duplicate-text: {windows: 14}\n",
            "config.yaml:{line}: unknown key 'windows' in compliance.rules.duplicate-text; "
            "expected one of: severity, enabled, window_days",
        ),
        (
            "    link-shortener: {more_shorteners: [lnk.example.org, 'not a domain']}\n",
            "config.yaml:{line}: compliance.rules.link-shortener.more_shorteners must be domains such as "
            "lnk.example.org, got 'not a domain'",
        ),
        (
            "    link-shortener: {more_shorteners: lnk.example.org}\n",
            "config.yaml:{line}: compliance.rules.link-shortener.more_shorteners must be a list, got str 'lnk.example.org'",
        ),
        (
            "    duplicate-txt: {window_days: 14}\n",
            "config.yaml:{line}: unknown rule 'duplicate-txt'; `hospipost rules` lists them",
        ),
    ],
)
def test_a_bad_rule_option_exits_2_with_one_line(site: Path, rules_yaml: str, message: str) -> None:
    with_rules(site, rules_yaml)
    line = (site / "config.yaml").read_text().splitlines().index("  rules:") + 2  # the rule's own line
    result = run(site, "check", "--now", "2026-11-23 11:00")
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: {site / message.format(line=line, next=line + 2)}\n"


def test_a_rule_option_changes_what_the_rule_finds(site: Path) -> None:
    text = "Inscriptions au concours de l'IFSI ouvertes jusqu'au 15 janvier."
    (site / "posts" / "twice.yaml").write_text(
        "posts:\n"
        + "".join(
            f"  - id: ifsi-{day}\n    at: 2026-12-{day} 10:00\n    text: {text}\n"
            f"    author: c.dupuis\n    approved_by: a.renier\n"
            for day in ("01", "16")
        )
    )
    assert "duplicate-text" in run(site, "check", "--now", "2026-11-23 11:00").output
    with_rules(site, "    duplicate-text: {window_days: 14}\n")
    result = run(site, "check", "--now", "2026-11-23 11:00")
    assert result.exit_code == 0 and "duplicate-text" not in result.output, result.output


def test_explain_lists_a_rules_options(site: Path) -> None:
    result = run(site, "rules", "--explain", "duplicate-text")
    assert result.exit_code == 0
    assert "compliance.rules.duplicate-text" in result.output and "window_days:" in result.output
    assert "(default 30)" in result.output
