"""a11y-hashtag-case: multi-word hashtags in CamelCase."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from hospipost.rules.a11y_hashtag_case import hashtag_problem
from tests.helpers import findings, post_with


def messages(config: Config, rule: str, text: str, **changes) -> list[str]:
    return [f.message for f in findings(config, post_with(text=text, **changes), rule=rule)]


def test_severity_and_docs() -> None:
    rule = all_rules()["a11y-hashtag-case"]
    assert rule.severity == Severity.WARNING
    assert rule.fix


@pytest.mark.parametrize(
    "hashtag, camel",
    [
        ("semainesecuritepatients", "SemaineSecuritePatients"),
        ("SEMAINESECURITEPATIENTS", "SemaineSecuritePatients"),
        ("Semainesecuritepatients", "SemaineSecuritePatients"),
        ("semainesécuritépatients", "SemaineSécuritéPatients"),
        ("octobrerose", "OctobreRose"),
        ("dondusang", "DonDuSang"),
        ("chuangers", "CHUAngers"),
        ("journeemondialedudiabete", "JourneeMondialeDuDiabete"),
        ("portesouvertes", "PortesOuvertes"),
        ("worldhealthday", "WorldHealthDay"),
        ("nursesweek", "NursesWeek"),
    ],
)
def test_unreadable_hashtags(config: Config, hashtag: str, camel: str) -> None:
    text = f"Le CHU d'Angers se mobilise cette semaine, venez nous rencontrer dans le hall. #{hashtag}"
    assert messages(config, "a11y-hashtag-case", text) == [
        f"Hashtag #{hashtag} is read as one word by screen readers: write it #{camel}."
    ]


@pytest.mark.parametrize(
    "hashtag",
    [
        "SemaineSécuritéPatients",
        "semaineSecuritePatients",
        "OctobreRose",
        "CHUAngers",
        "CHU",
        "Angers",
        "santé",
        "covid19",
        "COVID19",
        "SAMU49",
        "IRM",
        "canicule",
        "Canicule",
        "vaccination",
        "recrutement",
        "hospitalisation",
        "radiotherapie",
        "kinesitherapie",
        "transplantation",
        "pharmacovigilance",
        "neurochirurgie",
        "healthcare",
        "hospilike",
        "bronchiolite",
        "semaine2026",
        "endometriose",
        "Movember",
        "téléconsultation",
    ],
)
def test_readable_hashtags(config: Config, hashtag: str) -> None:
    text = f"Le CHU d'Angers se mobilise cette semaine, venez nous rencontrer dans le hall. #{hashtag}"
    assert messages(config, "a11y-hashtag-case", text) == []


def test_hashtag_reported_once_and_not_in_urls(config: Config) -> None:
    text = "Suivez #octobrerose sur https://www.chu-angers.fr/actualites#octobrerose et partagez #octobrerose"
    assert len(messages(config, "a11y-hashtag-case", text, variants={"x": "Suivez #octobrerose"})) == 1
    assert (
        messages(config, "a11y-hashtag-case", "Détails : https://www.chu-angers.fr/page#semainesecuritepatients") == []
    )


def test_very_long_unknown_hashtag(config: Config) -> None:
    assert hashtag_problem("anticonstitutionnellementtropbien") == ""
    assert messages(config, "a11y-hashtag-case", "Bravo #anticonstitutionnellementtropbien") == [
        "Hashtag #anticonstitutionnellementtropbien is read as one word by screen readers: start each of its words with a capital."
    ]
