"""alert-expiry: an alert has a `valid_until` after its `at`."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import post_with
from tests.rules.alerts_kit import CALL, LINK, alert, rule_findings


def test_severity_and_docs() -> None:
    rule = all_rules()["alert-expiry"]
    assert rule.severity == Severity.ERROR
    assert rule.fix


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"text": f"Canicule : {CALL} Canicule info service : 0 800 06 66 66. {LINK}"},
        {"at": "2027-01-15 09:00"},
        {"at": "2026-12-01T10:00:00+01:00"},
        {"networks": ["x"]},
        {"at": None, "every": "0 9 * * MON", "until": "2027-03-01"},
    ],
)
def test_alert_without_valid_until_is_an_error(config: Config, changes: dict) -> None:
    post = post_with(**{"kind": "alert", "text": f"Bronchiolite : {CALL} {LINK}", **changes})
    found = rule_findings(config, "alert-expiry", post)
    assert [f.message for f in found] == ["alert without `valid_until:` (when it stops being published)"]
    assert found[0].severity == Severity.ERROR


@pytest.mark.parametrize(
    "valid_until",
    ["2026-12-01 09:00", "2026-12-01 10:00", "2026-11-30 19:00", "2026-11-01 10:00", "2026-12-01 09:59"],
)
def test_alert_scheduled_at_or_after_its_expiry_is_an_error(config: Config, valid_until: str) -> None:
    post = alert(f"Bronchiolite : {CALL} {LINK}", valid_until=valid_until)
    found = rule_findings(config, "alert-expiry", post)
    assert len(found) == 1 and "it can never be published" in found[0].message
    assert f"valid_until {valid_until}" in found[0].message


@pytest.mark.parametrize(
    "valid_until",
    [
        "2026-12-01 10:01",
        "2026-12-01 19:00",
        "2026-12-03 19:00",
        "2026-12-02T18:00:00+01:00",
        "2026-12-31",
        "2027-01-01 00:00",
    ],
)
def test_alert_valid_after_its_time_passes(config: Config, valid_until: str) -> None:
    post = alert(f"Bronchiolite : {CALL} {LINK}", valid_until=valid_until)
    assert rule_findings(config, "alert-expiry", post) == []


def test_offsets_are_compared_as_instants(config: Config) -> None:
    # 10:00 in Paris is 09:00 UTC: valid until 09:30 UTC is after it.
    post = alert(f"Bronchiolite : {CALL} {LINK}", valid_until="2026-12-01T09:30:00Z")
    assert rule_findings(config, "alert-expiry", post) == []
    post = alert(f"Bronchiolite : {CALL} {LINK}", valid_until="2026-12-01T08:30:00Z")
    assert len(rule_findings(config, "alert-expiry", post)) == 1


def test_other_kinds_need_no_expiry(config: Config) -> None:
    assert rule_findings(config, "alert-expiry", post_with(kind="event")) == []
