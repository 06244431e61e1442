"""schedule-past (now: 2026-11-23 10:00 UTC, 11:00 in Paris): posts left in the past."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity, run_checks
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import NOW, findings, make_posts, post_with


def messages(config: Config, rule: str, **changes) -> list[str]:
    return [f.message for f in findings(config, post_with(**changes), rule=rule)]


def test_severity_and_docs() -> None:
    rule = all_rules()["schedule-past"]
    assert rule.severity == Severity.WARNING
    assert rule.fix


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
