"""a11y-caps: no shouting in capitals."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import findings, post_with


def messages(config: Config, rule: str, text: str, **changes) -> list[str]:
    return [f.message for f in findings(config, post_with(text=text, **changes), rule=rule)]


def test_severity_and_docs() -> None:
    rule = all_rules()["a11y-caps"]
    assert rule.severity == Severity.SUGGESTION
    assert rule.fix


@pytest.mark.parametrize(
    "text, shouted",
    [
        ("ALERTE CANICULE : BUVEZ DE L'EAU et restez au frais.", "ALERTE CANICULE : BUVEZ DE L'EAU"),
        ("JOURNÉE PORTES OUVERTES samedi au CHU d'Angers.", "JOURNÉE PORTES OUVERTES"),
        ("APPEL À LA VIGILANCE : la bronchiolite circule.", "APPEL À LA VIGILANCE"),
        ("IMPORTANT: VISITS ARE SUSPENDED in the paediatric ward.", "IMPORTANT: VISITS ARE SUSPENDED"),
        (
            "Nos équipes RECRUTENT des INFIRMIERS et des MÉDECINS pour le SERVICE des URGENCES.",
            "RECRUTENT des INFIRMIERS et des MÉDECINS pour le SERVICE des URGENCES",
        ),
    ],
)
def test_shouting(config: Config, text: str, shouted: str) -> None:
    found = findings(config, post_with(text=text), rule="a11y-caps")
    assert [f.excerpt for f in found] == [shouted]
    assert found[0].severity == Severity.SUGGESTION


@pytest.mark.parametrize(
    "text",
    [
        "URGENT : le SAMU 49 rappelle d'appeler le 15 en cas de malaise.",
        "Le CHU d'Angers, l'ARS et la HAS présentent le plan COVID et l'IRM mobile.",
        "SAMU, SMUR, CHU, ARS, IRM : les acronymes de l'urgence expliqués.",
        "Le CHU d'Angers, l'INSERM et le CNRS signent un partenariat de recherche.",
        "TRÈS IMPORTANT : venez avec votre carte Vitale.",
        "#CANICULE #ALERTE #VIGILANCE : le CHU d'Angers active son plan.",
        "Programme sur HTTPS://WWW.CHU-ANGERS.FR/PROGRAMME-JOURNEE et à l'accueil.",
    ],
)
def test_not_shouting(config: Config, text: str) -> None:
    assert messages(config, "a11y-caps", text) == []
