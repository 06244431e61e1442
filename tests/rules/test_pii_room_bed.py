"""pii-room-bed: room, bed and box numbers that locate a patient."""

from __future__ import annotations

import pytest

from hospipost.rules import all_rules
from hospipost.rules.pii_room_bed import find_rooms_beds
from tests.helpers import findings, post_with

RULE = "pii-room-bed"

FLAGGED = [
    ("M. Durand, chambre 12, remercie toute l'équipe.", "chambre 12"),
    ("Visite de la patiente en ch. 118 cet après-midi.", "ch. 118"),
    ("Il est installé au lit 4 de la réanimation.", "lit 4"),
    ("Prise en charge au box 3 des urgences pédiatriques.", "box 3"),
    ("Mme Leroy, chambre n° 214, lit B, sort demain.", "chambre n° 214, lit B"),
    ("Chambre 214 – lit B : patiente à jeun.", "Chambre 214 – lit B"),
    ("Notre patient du lit B a retrouvé le sourire.", "lit B"),
    ("Lit 4 : patiente stable en USC.", "Lit 4"),
    ("La chambre 7 de la maternité a accueilli les jumeaux.", "chambre 7"),
    ("Mr Smith, in room 12 of the cardiology ward, thanks the team.", "room 12"),
    ("Bed 4 in the ICU is now free.", "Bed 4"),
    ("Mme X, chambre\u00a0n°\u00a0214", "chambre\u00a0n°\u00a0214"),
]

PASSING = [
    "L'unité de soins continus compte désormais 12 lits.",
    "Les 30 lits de l'unité ont été rénovés cet été.",
    "Une unité de 20 lits ouvre en gériatrie.",
    "Le nouveau bâtiment offre 200 chambres individuelles.",
    "La chambre mortuaire est accessible aux familles de 9h à 17h.",
    "Six lits de réanimation supplémentaires pour l'hiver.",
    "Des chambres 2 lits ou individuelles, au choix.",
    "Chaque radiologue lit 50 examens par jour en radiologie.",
    "Forum emploi : retrouvez le service RH au box 3 du salon.",
    "Lecture room 2 of the faculty hosts the conference.",
    "Les chambres 201 à 212 ont été entièrement rénovées.",
    "A 20-bed unit opens in the new wing.",
    "La chambre a été repeinte par les bénévoles.",
    "Box 1 à 12 des urgences rénovés : plus de confort pour les patients.",
]


@pytest.mark.parametrize("text, excerpt", FLAGGED)
def test_flags_a_room_or_bed(config, text: str, excerpt: str) -> None:
    found = findings(config, post_with(text=text), rule=RULE)
    assert len(found) == 1
    assert "room, bed or box" in found[0].message
    assert found[0].excerpt == excerpt  # not sensitive: shown whole
    assert [text[a:b] for a, b in find_rooms_beds(text)] == [excerpt]


@pytest.mark.parametrize("text", PASSING)
def test_does_not_flag(config, text: str) -> None:
    assert findings(config, post_with(text=text), rule=RULE) == []


def test_thread_is_scanned(config) -> None:
    [found] = findings(config, post_with(thread=["Merci à l'équipe de la chambre 12 !"]), rule=RULE)
    assert found.rule == RULE


def test_documentation_examples(config) -> None:
    doc = all_rules()[RULE].doc
    for reference in ("HIPAA",):
        assert reference in doc
    flagged = doc.split('flagged: "')[1].split('"\n')[0]
    passes = doc.split('passes:  "')[1].split('"\n')[0]
    assert findings(config, post_with(text=flagged), rule=RULE)
    assert not findings(config, post_with(text=passes), rule=RULE)
