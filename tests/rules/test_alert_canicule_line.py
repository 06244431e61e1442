"""alert-canicule-line: a heat-wave post gives the Canicule info service line."""

from __future__ import annotations

from pathlib import Path

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import make_config, post_with
from tests.rules.alerts_kit import alert, rule_findings

HEAT_ADVICE = "buvez de l'eau régulièrement, fermez les volets et prenez des nouvelles de vos proches."


def test_severity_and_docs() -> None:
    rule = all_rules()["alert-canicule-line"]
    assert rule.severity == Severity.WARNING
    assert rule.fix


@pytest.mark.parametrize(
    "opening",
    [
        "Canicule :",
        "Épisode caniculaire en Maine-et-Loire :",
        "Fortes chaleurs :",
        "Grandes chaleurs cette semaine :",
        "Vague de chaleur :",
        "Plan grand chaleur activé au CHU :",
        "Coup de chaleur : les bons réflexes,",
        "Heatwave in Anjou:",
    ],
)
def test_heat_wave_post_without_the_line_is_a_warning(config: Config, opening: str) -> None:
    post = post_with(kind="prevention", text=f"{opening} {HEAT_ADVICE}")
    found = rule_findings(config, "alert-canicule-line", post)
    assert [f.message for f in found] == ["heat-wave post without the Canicule info service number 0 800 06 66 66"]


@pytest.mark.parametrize(
    "number",
    [
        "0 800 06 66 66",
        "0800 06 66 66",
        "0800066666",
        "0 800\u00a006\u00a066\u00a066",
        "0800.06.66.66",
        "0800-06-66-66",
        "+33 800 06 66 66",
    ],
)
def test_the_line_in_any_spacing_passes(config: Config, number: str) -> None:
    post = post_with(kind="prevention", text=f"Canicule : {HEAT_ADVICE} Canicule info service : {number}.")
    assert rule_findings(config, "alert-canicule-line", post) == []


@pytest.mark.parametrize(
    "text",
    [
        "Merci pour la chaleur de votre accueil lors de la journée portes ouvertes.",
        "Hiver : pensez à vous couvrir et à aérer votre logement.",
        "La chaleur humaine de nos équipes de soins palliatifs.",
        "Bouffées de chaleur et ménopause : une conférence ouverte à tous.",
    ],
)
def test_posts_not_about_a_heat_wave_pass(config: Config, text: str) -> None:
    assert rule_findings(config, "alert-canicule-line", post_with(text=text)) == []


def test_the_line_is_required_only_while_active(tmp_path: Path) -> None:
    config = make_config(tmp_path / "site")
    config.compliance.canicule_line_active = False
    post = post_with(kind="prevention", text=f"Canicule : {HEAT_ADVICE}")
    assert rule_findings(config, "alert-canicule-line", post) == []


def test_a_heat_wave_variant_without_the_line_names_its_network(config: Config) -> None:
    post = post_with(
        kind="prevention",
        text=f"Canicule : {HEAT_ADVICE} Canicule info service : 0 800 06 66 66.",
        variants={"x": f"Canicule : {HEAT_ADVICE}"},
    )
    assert [f.network for f in rule_findings(config, "alert-canicule-line", post)] == ["x"]


def test_the_example_heat_wave_alert_passes_every_alert_rule(config: Config) -> None:
    text = (
        "Fortes chaleurs : le CHU d'Angers active son plan grandes chaleurs. Buvez de l'eau, restez au frais.\n"
        "En cas de malaise, appelez le 15.\nCanicule info service : 0 800 06 66 66\n"
        "https://www.santepubliquefrance.fr/determinants-de-sante/climat/fortes-chaleurs-canicule"
    )
    post = alert(text)
    for rule_id in ("alert-emergency-number", "alert-canicule-line", "alert-official-link", "alert-expiry"):
        assert rule_findings(config, rule_id, post) == [], rule_id
