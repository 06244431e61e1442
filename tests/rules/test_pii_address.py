"""pii-address: a person's street address (a warning)."""

from __future__ import annotations

import pytest

from hospipost.rules import all_rules
from hospipost.rules.pii_address import find_person_addresses
from tests.helpers import findings, post_with

RULE = "pii-address"

FLAGGED = [
    ("M. Durand, qui habite 12 rue des Lilas, remercie ses voisins.", "12 rue des Lilas"),
    ("Domiciliée au 4 avenue Foch à Angers, la patiente a été raccompagnée.", "4 avenue Foch"),
    ("Mme Leroy, 8 bis rue du Mail, 49100 Angers, a retrouvé son chat.", "8 bis rue du Mail"),
    ("La patiente vit au 3 chemin des Vignes, à Trélazé.", "3 chemin des Vignes"),
    ("Ses parents, 15 allée des Tilleuls, remercient le SAMU.", "15 allée des Tilleuls"),
    ("Raccompagnée chez elle, 7 impasse Bellevue, par les ambulanciers.", "7 impasse Bellevue"),
    ("M. X, demeurant 21 boulevard Foch, est sorti hier.", "21 boulevard Foch"),
    ("Madame Petit réside 2\u00a0place du Ralliement depuis 40 ans.", "2\u00a0place du Ralliement"),
    ("John lives at 221B Baker Street with his daughter.", "221B Baker Street"),
]

PASSING = [
    "Rendez-vous au CHU, 4 rue Larrey, 49933 Angers, à 18 h.",
    "Amphithéâtre, 4 rue Larrey : conférence sur le sommeil.",
    "M. le Maire inaugurera la maison de santé, 4 rue des Lilas.",
    "Mme Leroy vous accueille à la permanence, 3 rue Larrey.",
    "Le centre de vaccination, 12 avenue Jean Jaurès, est ouvert le samedi.",
    "Mme X propose 2 cours de yoga aux patients chaque semaine.",
    "La famille peut se garer au parking, 4 rue Larrey.",
    "Le Dr Leroy reçoit au cabinet, 5 place du Ralliement.",
    "Conférence le 12 mars, 4 rue Larrey : Mme Leroy présentera ses travaux.",
    "Collecte de sang au 1 place Leclerc, de 10h à 18h.",
]


@pytest.mark.parametrize("text, excerpt", FLAGGED)
def test_flags_a_home_address(config, text: str, excerpt: str) -> None:
    found = findings(config, post_with(text=text), rule=RULE)
    assert len(found) == 1
    assert found[0].severity.value == "warning"
    assert "street address" in found[0].message
    assert [text[a:b] for a, b in find_person_addresses(text)] == [excerpt]


@pytest.mark.parametrize("text", PASSING)
def test_does_not_flag(config, text: str) -> None:
    assert findings(config, post_with(text=text), rule=RULE) == []


def test_documentation_examples(config) -> None:
    doc = all_rules()[RULE].doc
    for reference in ("HIPAA",):
        assert reference in doc
    flagged = doc.split('flagged: "')[1].split('"\n')[0]
    passes = doc.split('passes:  "')[1].split('"\n')[0]
    assert findings(config, post_with(text=flagged), rule=RULE)
    assert not findings(config, post_with(text=passes), rule=RULE)
