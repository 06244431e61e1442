"""Bad input anywhere in queues, config or time options: one line, never a traceback (issues 9, 14)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from hospipost.cli import cli
from hospipost.config import load_config

NOW = ["--now", "2026-11-23 11:00"]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    result = CliRunner().invoke(cli, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def run(site: Path, *args: str) -> CliRunner.Result:
    return CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), *args], catch_exceptions=False)


def first_value(path: Path, key: str, value: str) -> int:
    """Replace the first `key:` value in a file; return its line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if re.match(rf"\s*-?\s*{key}:", line))
    lines[index] = re.sub(rf"({key}:).*", lambda m: f"{m[1]} {value}", lines[index])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index + 1


def one_line_error(result: CliRunner.Result) -> str:
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    return errors[0]


@pytest.mark.parametrize(
    "key, value", [("at", "!!float abc"), ("kind", "!!omap [a: 1]"), ("id", "!!int x1"), ("author", "!!bool maybe")]
)
@pytest.mark.parametrize("command", [["queue", "list"], ["status", *NOW], ["publish", "--dry-run", *NOW]])
def test_an_impossible_tagged_value_skips_only_its_file(site: Path, key: str, value: str, command: list[str]) -> None:
    line = first_value(site / "posts" / "events.yaml", key, value)
    result = run(site, *command)
    assert result.exit_code in (0, 1, 2)
    assert f"events.yaml:{line}:" in result.output
    assert "Traceback" not in result.output
    if command[0] == "status":
        assert "babicoc-irm-nourrissons" in result.output  # the other queues still load


@pytest.mark.parametrize("merge", ["<<: [1, 2]", "<<: 3", "<<: [[a]]"])
def test_a_merge_key_on_a_non_mapping_is_one_line(site: Path, merge: str) -> None:
    path = site / "posts" / "health-alerts.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("defaults:", f"defaults:\n  {merge}", 1), encoding="utf-8")
    result = run(site, "check", *NOW)
    assert result.exit_code == 2
    assert "health-alerts.yaml:7:" in one_line_error(result) and "merge key" in result.output


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f"])
def test_a_control_character_is_one_line_with_its_line(site: Path, char: str) -> None:
    path = site / "posts" / "events.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = lines[5].rstrip("\n") + char + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    result = run(site, "check", *NOW)
    assert result.exit_code == 2
    assert "events.yaml:6: invalid YAML: the control character" in one_line_error(result)


def test_a_ten_megabyte_alt_text_is_refused_quickly(site: Path) -> None:
    import time

    line = first_value(site / "posts" / "health-alerts.yaml", "alt", '"' + "https://x.fr/a " * 700_000 + '"')
    started = time.perf_counter()
    result = run(site, "check", *NOW)
    assert time.perf_counter() - started < 10
    assert result.exit_code == 2
    assert f"health-alerts.yaml:{line}: 'alt' is 10500000 characters long; the limit is 100 000" in one_line_error(
        result
    )


@pytest.mark.parametrize("value", ["9999-12-31 23:59", "0001-01-01 00:00", "9999-12-31T23:59:59-12:00"])
@pytest.mark.parametrize("key", ["at", "valid_until"])
def test_a_date_at_the_edge_of_the_calendar_is_one_line(site: Path, key: str, value: str) -> None:
    line = first_value(site / "posts" / "health-alerts.yaml", key, value)
    for command in (["check", *NOW], ["publish", "--dry-run", *NOW], ["status", *NOW]):
        result = run(site, *command)
        assert result.exit_code in (1, 2), result.output
        assert f"health-alerts.yaml:{line}:" in result.output and "out of range" in result.output


@pytest.mark.parametrize("command", [["status"], ["publish", "--dry-run"], ["check"]])
def test_a_now_far_beyond_the_calendar_is_one_line(site: Path, command: list[str]) -> None:
    result = run(site, *command, "--now", "+99999999999d")
    assert result.exit_code == 2
    assert "--now" in one_line_error(result) and "too far ahead" in result.output


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("timezone", "a" * 300, "unknown time zone"),
        ("posts_dir", "a" * 300, "longer than 255 bytes"),
        ("late_window", "99999999999999d", "late_window is too long"),
        ("organisation", "!!float abc", "impossible value for the type 'float'"),
        ("language", "!!int x1", "impossible value for the type 'int'"),
    ],
)
def test_config_mistakes_are_one_line_with_file_and_line(site: Path, key: str, value: str, message: str) -> None:
    line = first_value(site / "config.yaml", key, value)
    for command in (["check"], ["queue", "list"], ["publish", "--dry-run"]):
        result = run(site, *command)
        assert result.exit_code == 2
        error = one_line_error(result)
        assert f"config.yaml:{line}:" in error and message in error


def test_a_quoted_election_date_is_a_date(site: Path) -> None:
    path = site / "config.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"start: 2025-09-01, end: 2026-03-22", 'start: "2027-02-01", end: "2027-03-01"', text)
    path.write_text(text, encoding="utf-8")
    period = load_config(path).compliance.election_periods[0]
    assert (str(period.start), str(period.end)) == ("2027-02-01", "2027-03-01")


@pytest.mark.parametrize(
    "broken, hint",
    [
        ("    text: Attention: fermeture du parking\n", "put the text in quotes"),
        ('    text: "Fermeture du parking\n', "unclosed quote"),
        ("\ttext: Fermeture\n", "indent with spaces only"),
    ],
)
def test_a_yaml_syntax_error_has_a_hint_in_plain_words(site: Path, broken: str, hint: str) -> None:
    path = site / "posts" / "events.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.lstrip().startswith("text:"))
    lines[index] = broken
    path.write_text("".join(lines[: index + 1]) + "    networks: [x]\n", encoding="utf-8")
    result = run(site, "check", *NOW)
    assert result.exit_code == 2
    error = one_line_error(result)
    assert "events.yaml:" in error and hint in error


@pytest.mark.parametrize("command", [["check"], ["queue", "list"], ["status"], ["publish", "--dry-run"]])
def test_every_command_says_the_same_when_there_is_no_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, command, catch_exceptions=False)
    assert result.exit_code == 2
    assert "no such config file; run `hospipost init`" in one_line_error(result)


def test_queue_add_at_the_edge_of_the_calendar_is_one_line_and_writes_nothing(site: Path) -> None:
    path = site / "posts" / "events.yaml"
    before = path.read_bytes()
    result = run(site, "queue", "add", "events", "--at", "9999-12-31 23:59", "--text", "Bonjour")
    assert result.exit_code == 2
    assert "--at" in one_line_error(result) and "out of range" in result.output
    assert path.read_bytes() == before
