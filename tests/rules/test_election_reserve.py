"""election-reserve: no institutional promotion inside an election period; nothing outside."""

from __future__ import annotations

from pathlib import Path

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import CONFIG_YAML, findings, make_config, post_with

# The test config's period: municipales 2026, 2025-09-01 to 2026-03-22 (Europe/Paris).
IN_PERIOD = "2026-02-10 10:00"
AFTER_PERIOD = "2026-12-01 10:00"


def excerpts(config: Config, text: str, at: str = IN_PERIOD, **changes) -> list[str]:
    return [f.excerpt for f in findings(config, post_with(text=text, at=at, **changes), rule="election-reserve")]


def test_severity_and_doc() -> None:
    rule = all_rules()["election-reserve"]
    assert rule.severity == Severity.WARNING
    assert "L52-1" in rule.doc and rule.fix


@pytest.mark.parametrize(
    "text, word",
    [
        ("Inauguration du nouveau bâtiment de cancérologie ce vendredi.", "Inauguration"),
        ("Le CHU inaugure son nouveau plateau d'imagerie.", "inaugure"),
        ("Pose de la première pierre du futur pôle mère-enfant.", "Pose de la première pierre"),
        ("Le bilan annuel du CHU : 120 000 passages aux urgences.", "bilan annuel"),
        ("Bilan 2025 : une année de projets pour le CHU.", "Bilan 2025"),
        ("Retour en images sur nos réalisations de l'année.", "nos réalisations"),
        ("Visite du nouveau service en présence du maire d'Angers.", "maire"),
        ("Mme la députée a rencontré les équipes des urgences.", "députée"),
        ("Le sénateur de Maine-et-Loire salue l'engagement des soignants.", "sénateur"),
        ("Le président du conseil départemental a visité la maternité.", "président du conseil départemental"),
        ("La ministre de la Santé en visite au CHU d'Angers.", "ministre"),
        ("Les conseillers municipaux découvrent le futur hôpital de jour.", "conseillers municipaux"),
        ("Le président du conseil de surveillance remercie les équipes.", "président du conseil de surveillance"),
        ("The mayor opened the new paediatric wing.", "mayor"),
    ],
)
def test_promotion_inside_the_period_is_a_warning(config: Config, text: str, word: str) -> None:
    assert excerpts(config, text)[:1] == [word]


def test_message_names_the_period(config: Config) -> None:
    found = findings(config, post_with(text="Inauguration du nouveau bâtiment.", at=IN_PERIOD), rule="election-reserve")
    assert [f.message for f in found] == [
        "institutional promotion during the pre-election period municipales 2026 (2025-09-01 to 2026-03-22): «Inauguration»"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Le nouveau service d'hémodialyse accueille ses premiers patients le 10 février.",
        "Faites votre bilan de santé : le centre d'examens vous accueille sans avance de frais.",
        "Un bilan sanguin est réalisé avant chaque don de moelle osseuse.",
        "La réalisation d'une IRM dure environ 20 minutes.",
        "Bilan orthophonique : les délais sont réduits.",
        "Nos équipes recrutent des infirmiers et des aides-soignants.",
        "Le conseiller en génétique vous reçoit sur rendez-vous.",
        "Élections professionnelles : votez pour vos représentants du personnel.",
        "Les primaires de la vaccination : les élèves infirmiers en formation.",
        "Candidatures ouvertes pour le concours d'entrée en IFSI.",
    ],
)
def test_neutral_information_inside_the_period_passes(config: Config, text: str) -> None:
    assert excerpts(config, text) == []


@pytest.mark.parametrize(
    "at",
    [AFTER_PERIOD, "2025-08-31 23:30", "2026-03-23 00:30", "2026-03-23T00:30:00+01:00"],
)
def test_promotion_outside_the_period_passes(config: Config, at: str) -> None:
    assert excerpts(config, "Inauguration du nouveau bâtiment en présence du maire.", at=at) == []


@pytest.mark.parametrize(
    "at",
    ["2025-09-01 00:30", "2026-03-22 23:30", "2026-03-22T23:30:00+01:00", "2025-08-31T22:30:00Z"],
)
def test_period_dates_are_inclusive_in_local_time(config: Config, at: str) -> None:
    assert excerpts(config, "Inauguration du nouveau bâtiment.", at=at) == ["Inauguration"]


def test_without_periods_nothing_is_flagged(tmp_path: Path) -> None:
    config = make_config(tmp_path / "site")
    config.compliance.election_periods = []
    assert excerpts(config, "Inauguration du nouveau bâtiment en présence du maire.") == []


def test_recurring_post_running_into_a_period(tmp_path: Path) -> None:
    text = CONFIG_YAML.replace(
        "election_periods: [{name: municipales 2026, start: 2025-09-01, end: 2026-03-22}]",
        "election_periods: [{name: régionales 2027, start: 2027-03-01, end: 2027-06-30}]",
    )
    config = make_config(tmp_path / "site", text=text)
    weekly = {"at": None, "every": "0 10 * * MON", "text": "Le mot du maire sur la vie du CHU."}
    assert excerpts(config, weekly["text"], at=None, every=weekly["every"]) == ["maire"]
    assert excerpts(config, weekly["text"], at=None, every=weekly["every"], until="2027-02-15") == []


@pytest.mark.parametrize(
    "text",
    [
        "Cinq ans de réalisations au service de nos patients.",
        "Un bilan dont nous sommes fiers : 4 services rénovés.",
        "Notre bilan : 200 lits ouverts depuis 2020.",
        "Bilan des cinq dernières années : un CHU transformé.",
        "L'heure du bilan pour la direction du CHU.",
        "Réalisations 2021-2026 : ce qui a changé au CHU.",
        "Le bilan de ces six dernières années parle de lui-même.",
        "Bilan 2021-2026 : un hôpital transformé.",
    ],
)
def test_record_wording_without_an_elected_official(config: Config, text: str) -> None:
    assert excerpts(config, text)


@pytest.mark.parametrize(
    "text",
    [
        "Bilan sanguin : pensez à venir à jeun.",
        "Faites le bilan de votre santé avec notre centre d'examens.",
        "Bilan de la grippe : 300 cas cette semaine dans la région.",
        "Notre bilan carbone baisse de 12 %.",
        "Un bilan orthophonique est proposé aux enfants de 4 ans.",
        "La réalisation d'un scanner prend dix minutes.",
    ],
)
def test_medical_work_ups_are_not_a_record(config: Config, text: str) -> None:
    assert excerpts(config, text) == []
