"""schedule-dst: local times that DST skips or repeats."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hospipost.cli import cli
from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import CONFIG_YAML, findings, make_config, post_with


def messages(config: Config, rule: str, **changes) -> list[str]:
    return [f.message for f in findings(config, post_with(**changes), rule=rule)]


EDGE_TIMES = [
    "0001-01-01 00:00",
    "0001-01-01 00:30",
    "0001-01-02 09:00",
    "9999-12-31 12:00",
    "9999-12-31 23:59",
    "0001-01-01T00:00+14:00",
    "0001-01-01T00:00-05:00",
    "9999-12-31T23:59-05:00",
    "9999-12-31T23:59+01:00",
]


def test_severity_and_docs() -> None:
    rule = all_rules()["schedule-dst"]
    assert rule.severity == Severity.ERROR
    assert rule.fix


@pytest.mark.parametrize(
    "at, instead",
    [
        ("2026-03-29 02:00", "03:00"),
        ("2026-03-29 02:30", "03:30"),
        ("2027-03-28 02:30", "03:30"),
        ("2027-03-28 02:59", "03:59"),
    ],
)
def test_nonexistent_time_is_an_error(config: Config, at: str, instead: str) -> None:
    assert messages(config, "schedule-dst", at=at) == [
        f"{at} does not exist in Europe/Paris (the clocks go forward from 02:00 to 03:00 that night): write {instead} or another time"
    ]


@pytest.mark.parametrize("at", ["2026-10-25 02:00", "2026-10-25 02:30", "2027-10-31 02:30", "2027-10-31 02:59"])
def test_ambiguous_time_is_an_error(config: Config, at: str) -> None:
    day, hour = at.split()
    assert messages(config, "schedule-dst", at=at) == [
        f"{at} happens twice in Europe/Paris (the clocks go back from 03:00 to 02:00 that night): "
        f"write {day}T{hour}+02:00 for the first or {day}T{hour}+01:00 for the second, or pick another time"
    ]


@pytest.mark.parametrize(
    "at",
    [
        "2026-03-29 01:59",
        "2026-03-29 03:00",
        "2027-03-28 10:00",
        "2026-10-25 01:59",
        "2026-10-25 03:00",
        "2027-10-31 09:00",
        "2026-10-25T02:30:00+01:00",
        "2027-03-28T02:30:00+01:00",
        "2026-12-01 02:30",
    ],
)
def test_existing_or_explicit_times_pass(config: Config, at: str) -> None:
    assert messages(config, "schedule-dst", at=at) == []


def test_dst_in_another_zone(tmp_path: Path) -> None:
    config = make_config(
        tmp_path / "site", text=CONFIG_YAML.replace("timezone: Europe/Paris", "timezone: America/New_York")
    )
    assert messages(config, "schedule-dst", at="2027-03-14 02:30") == [
        "2027-03-14 02:30 does not exist in America/New_York (the clocks go forward from 02:00 to 03:00 that night): write 03:30 or another time"
    ]
    assert len(messages(config, "schedule-dst", at="2026-11-01 01:30")) == 1
    assert messages(config, "schedule-dst", at="2027-03-28 02:30") == []


@pytest.mark.parametrize("zone", ["Europe/Paris", "Pacific/Kiritimati", "America/New_York", "UTC"])
def test_dates_at_the_edge_of_the_calendar_never_crash_check(tmp_path: Path, zone: str) -> None:
    """Issue 9/14: `at: 9999-12-31 23:59` (or year 1) crashed schedule-dst's day arithmetic.

    check answers with one line (the loader refuses dates outside 1970-9000), never a traceback."""
    posts = []
    for at in EDGE_TIMES:  # written unquoted, as YAML timestamps, as a user would
        for extra in ("", f"\n    every: '0 9 * * 1'\n    until: {at}", f"\n    kind: alert\n    valid_until: {at}"):
            posts.append(
                f"  - id: bord-{len(posts)}\n    at: {at}\n    text: Journée portes ouvertes au CHU.\n"
                f"    author: c.dupuis\n    approved_by: a.renier{extra}\n"
            )
    (tmp_path / "posts").mkdir()
    (tmp_path / "config.yaml").write_text(CONFIG_YAML.replace("Europe/Paris", zone), encoding="utf-8")
    (tmp_path / "posts" / "bords.yaml").write_text("posts:\n" + "".join(posts), encoding="utf-8")

    result = CliRunner().invoke(
        cli, ["--config", str(tmp_path / "config.yaml"), "check", "--format", "json", "--now", "2026-11-23 11:00"]
    )

    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    # dates outside 1970-9000 are refused when the queue loads: one line, never a traceback
    assert result.exit_code == 2 and "out of range" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
