"""claim-comparative: no ranking or comparison the hospital cannot prove."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import findings, post_with


def excerpts(config: Config, rule: str, text: str, **changes) -> list[str]:
    return [f.excerpt for f in findings(config, post_with(text=text, **changes), rule=rule)]


def test_severity_and_docs() -> None:
    rule = all_rules()["claim-comparative"]
    assert rule.severity == Severity.WARNING
    assert "R5122-4" in rule.doc or "R4127-14" in rule.doc
    assert rule.fix


@pytest.mark.parametrize(
    "sentence, claim",
    [
        ("Le meilleur service de cardiologie de France.", "Le meilleur service"),
        ("Nos patients sont soignés par les meilleurs spécialistes.", "les meilleurs spécialistes"),
        ("Classé meilleur CHU de France par un palmarès.", "meilleur CHU de France"),
        ("Le seul centre de France à proposer cette technique.", "Le seul centre de France"),
        ("Le seul CHU à proposer cette technique dans l'Ouest.", "Le seul CHU à"),
        ("La seule maternité de niveau 3 du département.", "La seule maternité de niveau 3 du département"),
        ("Un équipement unique en Europe.", "unique en Europe"),
        ("Une première en France pour notre équipe de chirurgie.", "première en France"),
        ("Première mondiale au CHU d'Angers.", "Première mondiale"),
        ("Le CHU, n°1 de la chirurgie robotique.", "n°1 de"),
        ("Nous sommes le numéro 1 du classement régional.", "le numéro 1"),
        ("Notre hôpital est leader national de la greffe.", "leader national"),
        ("Une technique plus efficace que la chirurgie classique.", "plus efficace que"),
        ("Un examen moins douloureux qu'une biopsie.", "moins douloureux qu'"),
        ("Un traitement supérieur à la chimiothérapie.", "supérieur à"),
        ("Le plus grand centre de rééducation de l'Ouest.", "Le plus grand centre de rééducation de l'Ouest"),
        ("Une expertise inégalée en neurochirurgie.", "inégalée"),
        ("Une prise en charge sans équivalent.", "sans équivalent"),
        ("The best hospital in the region for heart surgery.", "The best hospital"),
        ("Robotic surgery is safer than open surgery.", "safer than"),
        ("A world-leading team in paediatric imaging.", "world-leading"),
        ("Our hospital is the best in France.", "best in France"),
        ("Best hospital in France!", "Best hospital in"),
        ("Seul centre agréé de la région pour la greffe de cornée.", "Seul centre agréé de la région"),
        ("Classé 1er CHU de France par un magazine.", "1er CHU de France"),
        ("Un vaccin deux fois plus efficace.", "deux fois plus efficace"),
        ("Cette technique surpasse la chirurgie classique.", "surpasse"),
        ("Nos patients sont suivis par l'un des meilleurs centres de France.", "des meilleurs centres"),
    ],
)
def test_comparative_claims_are_warnings(config: Config, sentence: str, claim: str) -> None:
    assert excerpts(config, "claim-comparative", sentence) == [claim]


@pytest.mark.parametrize(
    "text",
    [
        "Le seul numéro à retenir en cas d'urgence : le 15.",
        "Un seul numéro d'urgence dans toute l'Europe : le 112.",
        "Pour la première fois au CHU d'Angers, une greffe réalisée avec un robot.",
        "Les premiers cas de grippe en France ont été signalés cette semaine.",
        "La première vague de chaleur en France est attendue lundi.",
        "Notre objectif : la meilleure prise en charge possible pour chaque enfant.",
        "Pour une meilleure prise en charge des douleurs chroniques.",
        "Toute l'équipe vous présente ses meilleurs vœux pour 2027.",
        "Accueillir les familles dans les meilleures conditions.",
        "Consultez si votre enfant a une température supérieure à 38 °C.",
        "Des températures supérieures aux normales de saison sont attendues.",
        "Les travaux ont été plus rapides que prévu.",
        "Mieux vaut prévenir que guérir : faites-vous vacciner.",
        "Il vaut mieux que vous appeliez le 15 plutôt que de venir aux urgences.",
        "Formation aux premiers secours ouverte à tous.",
        "Rendez-vous salle n°1 du bâtiment B.",
        "Prevention is better than cure.",
        "First aid training for parents, only 10 places left.",
        "Le seul moyen de se protéger : se faire vacciner.",
        "Chaque patient est unique.",
        "Les meilleurs moments de la journée portes ouvertes en images.",
        "Nous sommes fiers d'être le premier employeur du Maine-et-Loire.",
        "Un nombre de cas supérieur à celui de l'an dernier.",
        "Le premier semestre 2027 a été marqué par la grippe.",
        "Rendez-vous le 1er décembre en salle n° 12.",
    ],
)
def test_ordinary_wording_is_not_comparative(config: Config, text: str) -> None:
    assert excerpts(config, "claim-comparative", text) == []
