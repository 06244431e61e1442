"""pii-date-person: dates of birth, admission, discharge or death tied to a person."""

from __future__ import annotations

import pytest

from hospipost.rules import all_rules
from hospipost.rules.pii_date_person import find_dates_of_persons
from tests.helpers import findings, post_with

RULE = "pii-date-person"

FLAGGED = [
    ("Jeanne, née le 3 avril 1931, a fêté ses 95 ans dans le service.", "née le 3 avril 1931"),
    ("Admise le 12/03 pour une fracture, Mme X remercie l'équipe.", "Admise le 12/03"),
    ("Sorti le 4 mai, il a repris le vélo.", "Sorti le 4 mai"),
    ("M. X est décédé le 2 février 2027 dans le service.", "décédé le 2 février 2027"),
    ("Date de naissance : 03/04/1931", "Date de naissance : 03/04/1931"),
    ("Bébé Léo est né le 12 mars à la maternité du CHU.", "né le 12 mars"),
    ("Jeanne, née à Angers, le 3 avril 1931, a fêté son anniversaire.", "née à Angers, le 3 avril 1931"),
    (
        "Hospitalisée en réanimation depuis le 3 mai, elle remercie l'équipe.",
        "Hospitalisée en réanimation depuis le 3 mai",
    ),
    ("Il a été opéré le 14 février par l'équipe de chirurgie cardiaque.", "opéré le 14 février"),
    ("Né·e le 1er janvier 2027 : notre premier bébé de l'année !", "Né·e le 1er janvier 2027"),
    ("Elle a accouché le 1er janvier à 0 h 12.", "accouché le 1er janvier"),
    ("Mme X s’est éteinte le 4 décembre, entourée des siens.", "s’est éteinte le 4 décembre"),
    ("Notre patiente, née en avril 1931, nous raconte sa vie.", "née en avril 1931"),
    ("Transférée au CHU le mardi 3 mars, elle va mieux.", "Transférée au CHU le mardi 3 mars"),
    ("Baby Noah was born on 3 April 2027 at the CHU.", "born on 3 April 2027"),
    ("She was admitted to the ICU on March 12.", "admitted to the ICU on March 12"),
    ("He was discharged on 5/6 after three weeks.", "discharged on 5/6"),
    ("Date of birth: 04/03/1931", "Date of birth: 04/03/1931"),
    ("Jeanne, hospitalisée dans le service, née le 3 avril 1931, remercie les équipes.", "née le 3 avril 1931"),
    ("Mme X, patiente du Dr Y, décédée le 3 mai, était très entourée.", "décédée le 3 mai"),
]

PASSING = [
    "Le nouveau bâtiment sera inauguré le 3 avril.",
    "Le service a ouvert le 2 janvier 2027.",
    "Ne manquez pas notre conférence le 12 mars à 18h.",
    "Jeanne, née en 1931, a fêté ses 95 ans avec l'équipe.",
    "Le CHU a opéré le 3 mai son millième patient en robotique.",
    "Plus de 300 patients admis le 1er janvier aux urgences.",
    "Les bébés nés le 1er janvier recevront un bonnet tricoté par les bénévoles.",
    "Le projet, né le 3 avril 2019 d'une idée des soignants, se concrétise.",
    "Le guide sorti le 4 mai est disponible à l'accueil.",
    "La sortie du guide le 4 mai est un beau moment.",
    "Le Pr X opère le 12 mars en direct pour le congrès.",
    "Journée mondiale de la santé le 7 avril : stands dans le hall.",
    "Cette année, le 3 mai, portes ouvertes à l'IFSI.",
    "The hospital admitted 300 patients on March 3 during the heatwave.",
    "Le CHU est né le 1er janvier 1966 de la fusion de deux hôpitaux.",
    "Le guide des droits des patients, sorti le 4 mai, est disponible à l'accueil.",
    "Le Pr Paul Bernard, ancien chef du service de neurologie, nous a quittés le 3 février.",
    "Admis au concours de l'internat le 3 juillet : bravo à nos 45 étudiants !",
]


@pytest.mark.parametrize("text, excerpt", FLAGGED)
def test_flags_a_personal_date(config, text: str, excerpt: str) -> None:
    found = findings(config, post_with(text=text), rule=RULE)
    assert len(found) == 1
    assert "date of birth, admission, discharge or death" in found[0].message
    assert [text[a:b] for a, b in find_dates_of_persons(text)] == [excerpt]


@pytest.mark.parametrize("text", PASSING)
def test_does_not_flag(config, text: str) -> None:
    assert findings(config, post_with(text=text), rule=RULE) == []


def test_the_date_is_masked(config) -> None:
    [found] = findings(config, post_with(text="Née le 3 avril 1931, Jeanne remercie le service."), rule=RULE)
    assert "1931" not in (found.excerpt or "")


def test_documentation_examples(config) -> None:
    doc = all_rules()[RULE].doc
    for reference in ("HIPAA",):
        assert reference in doc
    flagged = doc.split('flagged: "')[1].split('"\n')[0]
    passes = doc.split('passes:  "')[1].split('"\n')[0]
    assert findings(config, post_with(text=flagged), rule=RULE)
    assert not findings(config, post_with(text=passes), rule=RULE)


@pytest.mark.parametrize(
    "text, excerpt",
    [
        ("Hommage à Mme Dubois, ancienne couturière, décédée le 3 mars à l'EHPAD Les Lilas.", "décédée le 3 mars"),
        ("Madeleine, doyenne de l'EHPAD Les Tilleuls, est décédée le 14 février à 107 ans.", "décédée le 14 février"),
        (
            "L'EHPAD Les Glycines a la tristesse d'annoncer que Paulette, ancienne directrice d'école, "
            "est décédée le 2 avril.",
            "décédée le 2 avril",
        ),
        (
            "Notre doyenne, résidente de l'EHPAD Les Glycines, est décédée le 12 novembre à 104 ans.",
            "décédée le 12 novembre",
        ),
        (
            "Toute l'équipe de la maison de retraite Les Oliviers salue la mémoire de Germaine, décédée le 5 janvier.",
            "décédée le 5 janvier",
        ),
    ],
)
def test_death_of_a_nursing_home_resident(config, text: str, excerpt: str) -> None:
    assert [text[a:b] for a, b in find_dates_of_persons(text)] == [excerpt]
    assert len(findings(config, post_with(text=text), rule=RULE)) == 1


@pytest.mark.parametrize(
    "text",
    [
        # a release, not a discharge
        "Sortie le 2 décembre en librairie : le livre de notre équipe de néonatologie.",
        "Sorti le 12 janvier en salles, le film a été tourné dans nos services.",
        "Sortie le 15 mars du nouveau numéro de notre magazine.",
        "Sortie le 4 mai du guide des aidants, disponible à l'accueil.",
        # a carer's tribute, and the nursing home's own events
        "Le Dr Lemoine, ancien chef du service de cardiologie, est décédé le 3 mars.",
        "Le Dr Martin, médecin de l'EHPAD Les Tilleuls, est décédé le 3 mars.",
        "L'EHPAD Les Tilleuls organise un loto le 3 décembre.",
    ],
)
def test_releases_tributes_and_events_pass(config, text: str) -> None:
    assert findings(config, post_with(text=text), rule=RULE) == []


@pytest.mark.parametrize(
    "text",
    [
        "Sortie le 2 décembre pour Mme Durand après trois semaines en cardiologie.",
        "Jeanne, sortie le 2 décembre, remercie l'équipe.",
    ],
)
def test_a_discharge_date_is_still_flagged(config, text: str) -> None:
    assert len(findings(config, post_with(text=text), rule=RULE)) == 1
