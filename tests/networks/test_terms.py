"""The networks' API terms (terms.yaml): version lifetimes and X's prices, read by `networks check`
and by the dry run's estimate of the X bill."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from hospipost.cli import cli
from hospipost.networks.terms import (
    graph_expiry,
    graph_version_notice,
    linkedin_sunset,
    linkedin_version_notice,
    x_cost,
)
from tests import clock
from tests.helpers import CONFIG_YAML, make_config


def test_graph_api_versions_expire_as_meta_announced_or_two_years_after_the_next_one() -> None:
    assert graph_expiry("v21.0") == date(2027, 1, 21)
    assert graph_expiry("26.0") == date(2028, 11, 4)  # v27.0 came out on 2026-11-04
    assert graph_expiry("v27.0") is None  # the current one: not announced


@pytest.mark.parametrize(
    ("version", "today", "expected"),
    [
        ("v21.0", date(2026, 12, 5), "Graph API v21.0 expires on 2027-01-21, in 47 days: set graph_version to v27.0"),
        ("v21.0", date(2027, 1, 21), "Graph API v21.0 expired on 2027-01-21: set graph_version to v27.0."),
        ("v19.0", date(2026, 12, 5), "Graph API v19.0 has expired (the oldest version Meta serves is v21.0)"),
        ("v21.0", date(2026, 10, 1), None),  # 112 days ahead: not yet
        ("v27.0", date(2026, 12, 5), None),
    ],
)
def test_a_graph_api_version_is_flagged_90_days_before_it_expires(
    version: str, today: date, expected: str | None
) -> None:
    notice = graph_version_notice(version, today)
    assert notice == expected if expected is None else expected in (notice or "")


def test_linkedin_versions_are_served_twelve_months() -> None:
    assert linkedin_sunset("202601") == date(2027, 1, 15)  # announced
    assert linkedin_sunset("202603") == date(2027, 3, 15)  # a year later, mid-month
    assert "is retired on 2027-01-15, in 41 days" in (linkedin_version_notice("202601", date(2026, 12, 5)) or "")
    assert "was retired on 2026-11-16 (LinkedIn answers 426)" in (
        linkedin_version_notice("202511", date(2026, 12, 5)) or ""
    )
    assert linkedin_version_notice("202610", date(2026, 12, 5)) is None


def test_the_x_bill_follows_the_requests_posts_links_and_alt_texts() -> None:
    requests = [
        {"method": "POST", "url": "https://api.x.com/2/media/metadata", "json": {"id": "1"}},
        {"method": "POST", "url": "https://api.x.com/2/tweets", "json": {"text": "Don du sang ce jeudi."}},
        {"method": "POST", "url": "https://api.x.com/2/tweets", "json": {"text": "Infos : chu-angers.fr/don"}},
        {"method": "POST", "url": "https://api.x.com/2/media/upload/initialize", "json": {}},
    ]
    cost = x_cost(requests)
    assert (cost.posts, cost.with_link, cost.alt_texts) == (2, 1, 1)
    assert cost.total == pytest.approx(0.015 + 0.20 + 0.005)
    assert cost.sentence() == (
        "Estimated X bill: $0.22 (2 posts, 1 of them with a link, 1 alt text), at X's prices of 2026-02-06."
    )


OLD_VERSIONS = CONFIG_YAML.replace('page_id: "1234567890"}', 'page_id: "1234567890", graph_version: v21.0}').replace(
    'organization: "urn:li:organization:123"}', 'organization: "urn:li:organization:123", version: "202601"}'
)


def test_networks_check_warns_of_expiring_versions_and_of_x_billing(tmp_path: Path) -> None:
    config = make_config(tmp_path / "site", text=OLD_VERSIONS)
    with clock.at("2026-12-05 10:00"):
        result = CliRunner().invoke(cli, ["--config", str(config.path), "networks", "check"], env={})
    out = " ".join(result.output.split())
    assert "⚠ Graph API v21.0 expires on 2027-01-21, in 47 days" in out
    assert "⚠ LinkedIn-Version 202601 is retired on 2027-01-15, in 41 days" in out
    assert "⚠ X is billed per use (prices of 2026-02-06): $0.015 a post, $0.20 when it contains a link" in out


def test_the_dry_run_estimates_the_x_bill(tmp_path: Path) -> None:
    config = make_config(tmp_path / "site", text=CONFIG_YAML)
    (config.root / "posts" / "news.yaml").write_text(
        "posts:\n"
        "  - id: don\n    at: 2026-12-07 09:00\n    networks: [x]\n    author: c.dupuis\n    approved_by: a.renier\n"
        "    text: Collecte de sang au CHU d'Angers ce lundi, hall B. Infos sur https://chu-angers.fr/don\n"
        "    thread: [Merci à toutes les personnes qui donnent leur sang.]\n",
        encoding="utf-8",
    )
    args = ["--config", str(config.path), "publish", "--dry-run", "--now", "2026-12-05 10:00", "--until", "+3d"]
    text = CliRunner().invoke(cli, args)
    assert "Estimated X bill: $0.215 (2 posts, 1 of them with a link), at X's prices of 2026-02-06." in text.output
    rows = [
        json.loads(line.rstrip(","))
        for line in CliRunner().invoke(cli, [*args, "--format", "json"]).output.splitlines()[1:-1]
    ]
    assert rows[0]["estimated_cost"] == {"amount": 0.215, "currency": "USD", "prices_of": "2026-02-06"}
