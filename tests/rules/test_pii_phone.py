"""pii-phone: phone numbers that are neither allowed nor public service numbers."""

from __future__ import annotations

import pytest

from hospipost.rules import all_rules
from hospipost.rules.pii_phone import find_phones
from tests.helpers import CONFIG_YAML, findings, make_config, post_with

RULE = "pii-phone"

FLAGGED = [
    ("Pour tout renseignement, appelez Julie au 06 12 34 56 78.", "06 12 34 56 78"),
    ("Contact famille : 07.81.22.45.90", "07.81.22.45.90"),
    ("Infos au 0612345678 (laisser un message)", "0612345678"),
    ("Joignable au +33 6 12 34 56 78 en semaine", "+33 6 12 34 56 78"),
    ("Depuis l'étranger : 0033 6 12 34 56 78", "0033 6 12 34 56 78"),
    ("Tél.\u00a0: +33 (0)2 40 08 33 33", "+33 (0)2 40 08 33 33"),
    ("Secrétariat du Dr X : 02-41-88-77-66", "02-41-88-77-66"),
    ("Permanence : 09\u202f72\u202f39\u202f40\u202f50", "09\u202f72\u202f39\u202f40\u202f50"),
    ("Service payant : 08 92 68 02 44", "08 92 68 02 44"),
    ("Our partner in London: +44 20 7946 0958", "+44 20 7946 0958"),
    ("Call the coordinator at (617) 555-0142 for details.", "(617) 555-0142"),
    ("Bruxelles : 02 555 12 34", "02 555 12 34"),
    ("Infos (06 12 34 56 78)", "06 12 34 56 78"),
]

PASSING = [
    "Standard du CHU : 02 41 35 36 37. En cas d'urgence, appelez le 15.",
    "Le standard est joignable au +33 2 41 35 36 37 ou au 02.41.35.36.37.",
    "Urgences : 15, 17, 18 ou 112 ; par SMS, le 114 pour les personnes sourdes.",
    "Canicule info service : 0 800 06 66 66 (appel gratuit).",
    "Prévention du suicide : 3114. Violences faites aux femmes : 3919. Tabac info service : 39 89.",
    "Médecin de garde : 116 117. Enfance en danger : 119. Samu social : 115.",
    "Journée portes ouvertes le 12/03/2027 de 9h30 à 17h, ou le 12.03.2027.",
    "Un budget de 1 250 000 € et +12 500 000 € d'investissements d'ici 2030.",
    "Rendez-vous au CHU, 4 rue Larrey, 49933 Angers cedex 9.",
    "Numéro vert du don d'organes : 0 800 20 22 24.",
    "En 2026, 45 678 passages aux urgences, soit 12,5 % de plus qu'en 2025.",
    "Les années 2020-2026 et 2027-2030 du projet médical.",
    "NIR 2 95 10 99 126 111 93 et IPP : 0612345678 sont signalés par d'autres règles.",
    "Plus d'infos : https://www.chu-angers.fr/contact?tel=0612345678",
    "Le CHU compte 6 500 professionnels et 1 550 lits.",
]


@pytest.mark.parametrize("text, excerpt", FLAGGED)
def test_flags_a_phone_number(config, text: str, excerpt: str) -> None:
    found = findings(config, post_with(text=text), rule=RULE)
    assert len(found) == 1
    assert "phone number" in found[0].message
    assert [text[a:b] for a, b in find_phones(text, ("02 41 35 36 37",))] == [excerpt]


@pytest.mark.parametrize("text", PASSING)
def test_does_not_flag(config, text: str) -> None:
    assert findings(config, post_with(text=text), rule=RULE) == []


def test_allowed_numbers_come_from_config(tmp_path) -> None:
    extra = CONFIG_YAML.replace(
        'allowed_phone_numbers: ["02 41 35 36 37"]', 'allowed_phone_numbers: ["+33 6 12 34 56 78"]'
    )
    config = make_config(tmp_path / "other", text=extra)
    assert not findings(config, post_with(text="Ligne du cadre de garde : 06 12 34 56 78"), rule=RULE)
    assert findings(config, post_with(text="Standard : 02 41 35 36 37"), rule=RULE)


def test_the_number_is_masked_and_ignore_works(config) -> None:
    post = post_with(
        text="Appelez le 06 12 34 56 78", ignore=[{"rule": RULE, "reason": "ligne publique du SAMU social"}]
    )
    [found] = findings(config, post, rule=RULE)
    assert found.ignored == "ligne publique du SAMU social"
    assert "56 78" not in (found.excerpt or "")


def test_each_text_is_scanned(config) -> None:
    post = post_with(variants={"facebook": "Contact : 06 12 34 56 78"}, thread=["Ou au 07 81 22 45 90"])
    assert len(findings(config, post, rule=RULE)) == 2


def test_documentation_examples(config) -> None:
    doc = all_rules()[RULE].doc
    for reference in ("0 800 06 66 66", "allowed_phone_numbers"):
        assert reference in doc
    flagged = doc.split('flagged: "')[1].split('"\n')[0]
    passes = doc.split('passes:  "')[1].split('"\n')[0]
    assert findings(config, post_with(text=flagged), rule=RULE)
    assert not findings(config, post_with(text=passes), rule=RULE)
