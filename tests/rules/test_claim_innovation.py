"""claim-innovation: an innovation post gives the source of its evidence."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import findings, post_with

BABICOC = "Recherche en soins au CHU d'Angers : le babicoc, un cocon conçu par nos équipes pour l'IRM des nourrissons."


def test_severity_and_docs() -> None:
    rule = all_rules()["claim-innovation"]
    assert rule.severity == Severity.ERROR
    assert "R5122-4" in rule.doc or "R4127-14" in rule.doc
    assert rule.fix


@pytest.mark.parametrize(
    "text, source",
    [
        (BABICOC, None),
        (BABICOC, ""),
        (BABICOC, "   "),
        ("Une première au CHU : la réalité virtuelle pour apaiser les enfants avant une ponction.", None),
        ("Nos kinésithérapeutes testent un exosquelette pour la rééducation de la marche.", None),
        ("Innovation : une application pour préparer son hospitalisation en chirurgie ambulatoire.", None),
    ],
)
def test_innovation_without_source_is_an_error(config: Config, text: str, source) -> None:
    found = findings(config, post_with(kind="innovation", text=text, source=source), rule="claim-innovation")
    assert [f.message for f in found] == ["innovation post without a `source:` for its evidence"]
    assert found[0].severity == Severity.ERROR


@pytest.mark.parametrize(
    "changes",
    [
        {
            "kind": "innovation",
            "source": "https://espaceinfirmier.fr/presse/l-infirmiere-magazine/article/n-325/des-bebes-dans-leur-bulle.html",
        },
        {"kind": "innovation", "source": "Pediatr Radiol 2026;56:120-126"},
        {"kind": "innovation", "source": "https://clinicaltrials.gov/study/NCT01234567"},
        {"kind": "innovation", "source": "Rapport d'évaluation HAS, mars 2026"},
        {"kind": "news"},
        {"kind": "event"},
        {"kind": "prevention"},
    ],
)
def test_innovation_with_source_or_other_kind_passes(config: Config, changes: dict) -> None:
    assert findings(config, post_with(text=BABICOC, **changes), rule="claim-innovation") == []
