"""pii-record-id: IPP, NDA, n° de dossier, n° de séjour… followed by a number."""

from __future__ import annotations

import pytest

from hospipost.rules import all_rules
from hospipost.rules.pii_record_id import find_record_ids
from tests.helpers import findings, post_with

RULE = "pii-record-id"

FLAGGED = [
    ("Pour toute question, rappelez-nous avec l'IPP : 8841203.", "IPP : 8841203"),
    ("Merci de rappeler le service pour le dossier n° 2024-55812.", "dossier n° 2024-55812"),
    ("Facture liée au NDA 7700123, à régler en ligne.", "NDA 7700123"),
    ("Votre n° de séjour 7700123 figure sur le bulletin de sortie.", "n° de séjour 7700123"),
    ("Numéro de patient : 88412 (à rappeler à l'accueil).", "Numéro de patient : 88412"),
    ("N° de dossier médical\u00a0: 00123456", "N° de dossier médical\u00a0: 00123456"),
    ("dossier médical n° 55 812 33 transmis au médecin traitant", "dossier médical n° 55 812 33"),
    ("identifiant patient 4412098 en cours de fusion", "identifiant patient 4412098"),
    ("Nº dossier 1234567 : pièces manquantes", "Nº dossier 1234567"),
    ("IPP N° 8841203", "IPP N° 8841203"),
    ("Numéro d’admission 77001234", "Numéro d’admission 77001234"),
    ("Patient MRN: 4481120 was transferred.", "MRN: 4481120"),
    ("Please quote your hospital number K1234567.", "hospital number K1234567"),
    ("NHS number 943 476 5919", "NHS number 943 476 5919"),
]

PASSING = [
    "Les IPP 20 mg sont à prendre avant le repas : parlez-en à votre médecin.",
    "Les IPP font l'objet d'une campagne de bon usage depuis 2020.",
    "La durée moyenne de séjour en chirurgie ambulatoire est de 1 jour en 2026.",
    "Notre dossier de presse n° 2026 est en ligne sur chu-angers.fr.",
    "Le dossier 2027 des urgences : 85 000 passages, un record.",
    "Conférence HospiLike sur les hôpitaux et les réseaux sociaux (n° 1234).",
    "Le patient est au cœur du projet d'établissement 2027-2031.",
    "Séjour n°1 du programme d'éducation thérapeutique : inscriptions ouvertes.",
    "Admission : 2 400 nouveaux étudiants accueillis à l'IFSI cette année.",
    "Bienvenue aux 120 internes arrivés le 2 novembre 2026 !",
    "Our hospital set a record in 2026: 1,200 transplants.",
]


@pytest.mark.parametrize("text, excerpt", FLAGGED)
def test_flags_a_record_identifier(config, text: str, excerpt: str) -> None:
    found = findings(config, post_with(text=text), rule=RULE)
    assert len(found) == 1
    assert "record identifier" in found[0].message
    assert [text[a:b] for a, b in find_record_ids(text)] == [excerpt]


@pytest.mark.parametrize("text", PASSING)
def test_does_not_flag(config, text: str) -> None:
    assert findings(config, post_with(text=text), rule=RULE) == []


def test_cannot_be_ignored_and_is_masked(config) -> None:
    post = post_with(text="IPP : 8841203", ignore=[{"rule": RULE, "reason": "exemple fictif"}])
    [found] = findings(config, post, rule=RULE)
    assert found.ignored is None and "cannot be ignored" in found.message
    assert "8841203" not in (found.excerpt or "")


def test_thread_and_alt_text_are_scanned(config) -> None:
    post = post_with(
        thread=["Rappel : NDA 7700123"],
        media=[{"file": "media/fiche.png", "alt": "Fiche de liaison, dossier n° 2024-55812"}],
    )
    found = findings(config, post, rule=RULE)
    assert sorted(f.line for f in found) == sorted({f.line for f in found})
    assert len(found) == 2


def test_documentation_examples(config) -> None:
    rule_obj = all_rules()[RULE]
    assert not rule_obj.ignorable and rule_obj.sensitive and rule_obj.fix
    for reference in ("HIPAA",):
        assert reference in rule_obj.doc
    flagged = rule_obj.doc.split('flagged: "')[1].split('"\n')[0]
    passes = rule_obj.doc.split('passes:  "')[1].split('"\n')[0]
    assert findings(config, post_with(text=flagged), rule=RULE)
    assert not findings(config, post_with(text=passes), rule=RULE)
