"""pii-nir: French social security numbers (NIR / INS matricule) with a valid key."""

from __future__ import annotations

import pytest

from hospipost.rules import all_rules
from hospipost.rules.pii_nir import find_nirs
from tests.helpers import findings, post_with

RULE = "pii-nir"

# Keys computed with stdnum.fr.nir.calc_check_digits.
FLAGGED = [
    ("Merci de transmettre le NIR 2 95 10 99 126 111 93 au bureau des entrées.", "2 95 10 99 126 111 93"),
    ("Numéro de sécurité sociale : 295109912611193.", "295109912611193"),
    ("N° INS 2.95.10.99.126.111.93 à vérifier", "2.95.10.99.126.111.93"),
    ("Patiente née en Corse, NIR 2 53 07 2B 073 004 70.", "2 53 07 2B 073 004 70"),
    ("matricule INS : 253072A07300443", "253072A07300443"),
    ("Carte Vitale de M. X : 1 85 05 78 006 084 91", "1 85 05 78 006 084 91"),
    ("sécu 2 84 03 49 007 012 10, mutuelle à jour", "2 84 03 49 007 012 10"),
    ("INS 1 93 12 49 123 045 33 (vérifié)", "1 93 12 49 123 045 33"),
    (
        "Identité : 2\u00a031\u00a012\u00a02B\u00a0050\u00a0123\u00a053",
        "2\u00a031\u00a012\u00a02B\u00a0050\u00a0123\u00a053",
    ),
    ("NIR 2 84 03 49 007 012-10", "2 84 03 49 007 012-10"),
]

PASSING = [
    "Le numéro 295109912611199 n'est pas un NIR valide : sa clé est fausse.",
    "Le CHU d'Angers a accueilli 1 250 000 patients depuis 2015.",
    "Standard : 02 41 35 36 37. En cas d'urgence, appelez le 15.",
    "SIRET du CHU : 264 900 019 00016.",
    "Référence du marché public 2026-118-00452-BIS.",
    "Budget 2027 : 512 345 678 euros, dont 12 % pour l'investissement.",
    "Journée portes ouvertes le 12/03/2027 de 9h30 à 17h.",
    "Rendez-vous au CHU, 4 rue Larrey, 49933 Angers cedex 9.",
    "Pensez à mettre à jour votre carte Vitale avant votre venue.",
    "IBAN FR76 3000 6000 0112 3456 7890 189 pour les dons à la fondation.",
]


@pytest.mark.parametrize("text, excerpt", FLAGGED)
def test_flags_a_valid_nir(config, text: str, excerpt: str) -> None:
    found = findings(config, post_with(text=text), rule=RULE)
    assert len(found) == 1
    assert found[0].severity.value == "error"
    assert "social security number" in found[0].message
    assert [text[a:b] for a, b in find_nirs(text)] == [excerpt]


@pytest.mark.parametrize("text", PASSING)
def test_does_not_flag(config, text: str) -> None:
    assert findings(config, post_with(text=text), rule=RULE) == []


def test_the_excerpt_is_masked_and_the_rule_cannot_be_ignored(config) -> None:
    post = post_with(
        text="NIR 2 95 10 99 126 111 93",
        ignore=[{"rule": RULE, "reason": "test"}],
    )
    [found] = findings(config, post, rule=RULE)
    assert found.ignored is None
    assert "cannot be ignored" in found.message
    assert "126 111" not in (found.excerpt or "")


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"thread": ["Suite du fil : NIR 295109912611193"]}, "thread[0]"),
        ({"variants": {"x": "NIR 295109912611193"}}, "variants.x"),
        (
            {"media": [{"file": "media/scan.png", "alt": "Scan d'une carte Vitale : 2 95 10 99 126 111 93"}]},
            "media[0].alt",
        ),
    ],
)
def test_every_published_text_is_scanned(config, fields: dict, field: str) -> None:
    [found] = findings(config, post_with(**fields), rule=RULE)
    assert found.message and found.network is None
    assert all_rules()[RULE].sensitive


def test_two_numbers_are_two_findings(config) -> None:
    text = "NIR 295109912611193 et 2 84 03 49 007 012 10"
    assert len(findings(config, post_with(text=text), rule=RULE)) == 2


def test_documentation_examples(config) -> None:
    doc = all_rules()[RULE].doc
    for reference in ("CSP L1110-4",):
        assert reference in doc
    flagged = doc.split('flagged: "')[1].split('"\n')[0]
    passes = doc.split('passes:  "')[1].split('"\n')[0]
    assert findings(config, post_with(text=flagged), rule=RULE)
    assert not findings(config, post_with(text=passes), rule=RULE)
