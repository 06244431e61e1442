"""schedule-quiet-hours: no post at night but alerts."""

from __future__ import annotations

from pathlib import Path

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import CONFIG_YAML, findings, make_config, post_with


def messages(config: Config, rule: str, **changes) -> list[str]:
    return [f.message for f in findings(config, post_with(**changes), rule=rule)]


def test_severity_and_docs() -> None:
    rule = all_rules()["schedule-quiet-hours"]
    assert rule.severity == Severity.WARNING
    assert rule.fix


@pytest.mark.parametrize(
    "at, shown",
    [
        ("2026-12-01 21:00", "21:00"),
        ("2026-12-01 22:30", "22:30"),
        ("2026-12-01 23:59", "23:59"),
        ("2026-12-02 00:00", "00:00"),
        ("2026-12-02 03:15", "03:15"),
        ("2026-12-02 07:29", "07:29"),
        ("2026-12-01T22:30:00+01:00", "22:30"),
        ("2026-12-01T21:30:00Z", "22:30"),
    ],
)
def test_post_at_night_is_a_warning(config: Config, at: str, shown: str) -> None:
    assert messages(config, "schedule-quiet-hours", at=at) == [
        f"scheduled at {shown}, inside the quiet hours 21:00-07:30"
    ]


@pytest.mark.parametrize(
    "at", ["2026-12-01 07:30", "2026-12-01 09:00", "2026-12-01 12:30", "2026-12-01 20:59", "2026-12-01T19:59:00Z"]
)
def test_post_in_the_day_passes(config: Config, at: str) -> None:
    assert messages(config, "schedule-quiet-hours", at=at) == []


def test_alerts_may_go_out_at_night(config: Config) -> None:
    assert (
        messages(config, "schedule-quiet-hours", at="2026-12-01 23:00", kind="alert", valid_until="2026-12-02 19:00")
        == []
    )


@pytest.mark.parametrize(
    "every, flagged",
    [
        ("30 22 * * *", "recurring post at 22:30, inside the quiet hours 21:00-07:30"),
        ("*/30 6-8 * * *", "recurring post at 06:00, 06:30, 07:00, inside the quiet hours 21:00-07:30"),
        ("0 9,23 * * MON", "recurring post at 23:00, inside the quiet hours 21:00-07:30"),
        ("0 9 * * MON-FRI", None),
        ("0 12 1 * *", None),
        ("15 9-17/2 * * MON-FRI", None),
        ("0 21-23 * * SAT", "recurring post at 21:00, 22:00, 23:00, inside the quiet hours 21:00-07:30"),
    ],
)
def test_recurring_posts_are_checked_by_their_cron_hours(config: Config, every: str, flagged: str | None) -> None:
    assert messages(config, "schedule-quiet-hours", at=None, every=every) == ([flagged] if flagged else [])


def test_a_window_that_does_not_wrap(tmp_path: Path) -> None:
    config = make_config(
        tmp_path / "site", text=CONFIG_YAML.replace('start: "21:00", end: "07:30"', 'start: "12:00", end: "14:00"')
    )
    assert messages(config, "schedule-quiet-hours", at="2026-12-01 12:30") == [
        "scheduled at 12:30, inside the quiet hours 12:00-14:00"
    ]
    assert messages(config, "schedule-quiet-hours", at="2026-12-01 14:00") == []
    assert messages(config, "schedule-quiet-hours", at="2026-12-01 23:00") == []


def test_no_quiet_hours_no_warning(tmp_path: Path) -> None:
    config = make_config(
        tmp_path / "site", text=CONFIG_YAML.replace('  quiet_hours: {start: "21:00", end: "07:30"}\n', "")
    )
    assert config.compliance.quiet_hours is None
    assert messages(config, "schedule-quiet-hours", at="2026-12-01 23:00") == []
