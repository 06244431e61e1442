"""schedule-past, schedule-quiet-hours, schedule-dst."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hospipost.cli import cli
from hospipost.compliance import Severity, run_checks
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import CONFIG_YAML, NOW, findings, make_config, make_posts, post_with


def messages(config: Config, rule: str, **changes) -> list[str]:
    return [f.message for f in findings(config, post_with(**changes), rule=rule)]


def test_severities_and_docs() -> None:
    rules = all_rules()
    assert rules["schedule-past"].severity == Severity.WARNING
    assert rules["schedule-quiet-hours"].severity == Severity.WARNING
    assert rules["schedule-dst"].severity == Severity.ERROR
    for rule_id in ("schedule-past", "schedule-quiet-hours", "schedule-dst"):
        assert rules[rule_id].fix


# --- schedule-past (now: 2026-11-23 10:00 UTC, 11:00 in Paris) -----------------------


@pytest.mark.parametrize(
    "changes, ago",
    [
        ({"at": "2026-11-20 10:00"}, "3 days"),
        ({"at": "2025-11-23 10:00"}, "365 days"),
        ({"at": "2026-11-23 04:00"}, "7 h"),
        ({"at": "2026-11-22T10:00:00Z"}, "24 h"),
        ({"at": "2026-11-20 10:00", "draft": True}, "3 days"),
        ({"at": "2026-11-20 10:00", "kind": "alert", "valid_until": "2026-11-21 19:00"}, "3 days"),
    ],
)
def test_posts_missed_are_warnings(config: Config, changes: dict, ago: str) -> None:
    found = messages(config, "schedule-past", **changes)
    assert len(found) == 1 and f", {ago} ago, and never published: it will not go out automatically" in found[0]


def test_post_missed_long_ago_is_a_warning(config: Config) -> None:
    assert messages(config, "schedule-past", at="2026-11-20 10:00") == [
        "scheduled at 2026-11-20 10:00, 3 days ago, and never published: it will not go out automatically"
    ]


def test_post_just_past_will_go_out_late(config: Config) -> None:
    assert messages(config, "schedule-past", at="2026-11-23 10:30") == [
        "scheduled at 2026-11-23 10:30, 30 min ago, and not published yet: it will go out late"
    ]


def test_alert_past_but_still_valid_will_go_out_late(config: Config) -> None:
    found = messages(config, "schedule-past", at="2026-11-22 09:00", kind="alert", valid_until="2026-11-24 19:00")
    assert found == ["scheduled at 2026-11-22 09:00, 26 h ago, and not published yet: it will go out late"]


@pytest.mark.parametrize(
    "changes",
    [
        {"at": "2026-12-01 10:00"},
        {"at": "2026-11-23 11:01"},
        {"at": None, "every": "0 9 * * MON"},
        {"at": None, "every": "0 9 * * MON", "until": "2027-06-30"},
        {"at": "2026-10-05 09:00", "every": "0 9 * * MON", "until": "2027-06-30"},
        {"at": "2026-11-23T10:00:00Z"},
        {"at": "2027-11-23 09:00"},
    ],
)
def test_future_and_running_recurring_posts_pass(config: Config, changes: dict) -> None:
    assert messages(config, "schedule-past", **changes) == []


def test_published_posts_pass(config: Config) -> None:
    posts = make_posts(
        config,
        post_with(id="sent", at="2026-11-20 10:00"),
        post_with(id="lost", at="2026-11-20 10:00", text="Autre texte."),
    )
    report = run_checks(posts, config, NOW, published=lambda post: post.id == "sent")
    assert [f.post.id for f in report.findings if f.rule == "schedule-past"] == ["lost"]


def test_recurring_post_that_ended_without_publication(config: Config) -> None:
    assert messages(config, "schedule-past", at=None, every="0 9 * * MON", until="2026-11-01") == [
        "recurring post ended on 2026-11-01 and was never published"
    ]


# --- schedule-quiet-hours (21:00-07:30 in the test config) ---------------------------


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


# --- schedule-dst (Europe/Paris: forward 2026-03-29 and 2027-03-28, back 2026-10-25 and 2027-10-31) ---


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
