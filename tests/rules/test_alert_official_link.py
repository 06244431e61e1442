"""alert-official-link: an alert links to an official source."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import post_with
from tests.rules.alerts_kit import CALL, LINK, alert, rule_findings


def test_severity_and_docs() -> None:
    rule = all_rules()["alert-official-link"]
    assert rule.severity == Severity.WARNING
    assert rule.fix


@pytest.mark.parametrize(
    "link",
    [
        LINK,
        "santepubliquefrance.fr/determinants-de-sante/climat/fortes-chaleurs-canicule",
        "https://www.pays-de-la-loire.ars.sante.fr/canicule",
        "https://vigilance.meteofrance.com",
        "www.chu-angers.fr/urgences",
        "https://sante.gouv.fr/sante-et-environnement/risques-climatiques/canicule",
    ],
)
def test_alert_with_an_official_link_passes(config: Config, link: str) -> None:
    assert rule_findings(config, "alert-official-link", alert(f"Bronchiolite : {CALL} Infos : {link}")) == []


@pytest.mark.parametrize(
    "link",
    [
        "",
        "https://www.doctissimo.fr/bronchiolite",
        "https://bit.ly/3xYzAbc",
        "https://santepubliquefrance.fr.example.com/canicule",
        "https://fakesantepubliquefrance.fr/canicule",
        "contact@chu-angers.fr",
    ],
)
def test_alert_without_an_official_link_is_a_warning(config: Config, link: str) -> None:
    found = rule_findings(config, "alert-official-link", alert(f"Bronchiolite : {CALL} Infos : {link}"))
    assert [f.message for f in found] == ["alert without a link to an official source"]


def test_only_alerts_need_an_official_link(config: Config) -> None:
    assert rule_findings(config, "alert-official-link", post_with(kind="news")) == []
