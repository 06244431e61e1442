"""pii-email: e-mail addresses outside the allowed domains."""

from __future__ import annotations

import pytest

from hospipost.rules import all_rules
from hospipost.rules.pii_email import find_emails
from tests.helpers import findings, post_with

RULE = "pii-email"

FLAGGED = [
    ("Questions ? Écrivez à marie.dubois@gmail.com.", "marie.dubois@gmail.com"),
    ("Envoyez vos photos à l’adresse j.martin@wanadoo.fr avant vendredi", "j.martin@wanadoo.fr"),
    ("Contact : secretariat.cardio@orange.fr", "secretariat.cardio@orange.fr"),
    ("Inscriptions : jean.dupont (at) gmail.com", "jean.dupont (at) gmail.com"),
    ("Écrire à jean.dupont [at] laposte [dot] net", "jean.dupont [at] laposte [dot] net"),
    ("Renseignements : julie arobase free.fr", "julie arobase free.fr"),
    ("Adresse piégée : contact@chu-angers.fr.example.com", "contact@chu-angers.fr.example.com"),
    ("Mail : a.leroy@notchu-angers.fr", "a.leroy@notchu-angers.fr"),
    ("Questions: john.smith+chu@outlook.com", "john.smith+chu@outlook.com"),
]

PASSING = [
    "Candidatures : recrutement@chu-angers.fr",
    "Écrivez au service communication : communication@chu-angers.fr.",
    "Les internes écrivent à internat@rh.chu-angers.fr (sous-domaine du CHU).",
    "Suivez-nous sur Mastodon : @chu_angers@mastodon.social",
    "Merci à @CHUAngers et à @SantePubliqueFr pour le relais !",
    "Plus d'infos : https://www.chu-angers.fr/actualites",
    "Le symbole arobase n'a pas sa place dans un mot de passe simple.",
    "Rendez-vous le 12 mars à 14h @ l'amphithéâtre Larrey.",
    "Contact presse : PRESSE@CHU-ANGERS.FR",
]


@pytest.mark.parametrize("text, excerpt", FLAGGED)
def test_flags_an_address(config, text: str, excerpt: str) -> None:
    found = findings(config, post_with(text=text), rule=RULE)
    assert len(found) == 1
    assert "e-mail address" in found[0].message
    assert [text[a:b] for a, b in find_emails(text, ["chu-angers.fr"])] == [excerpt]


@pytest.mark.parametrize("text", PASSING)
def test_does_not_flag(config, text: str) -> None:
    assert findings(config, post_with(text=text), rule=RULE) == []


def test_alt_text_and_variants_are_scanned(config) -> None:
    post = post_with(
        variants={"linkedin": "Candidatures : julie.m@gmail.com"},
        media=[{"file": "media/affiche.png", "alt": "Affiche : contact paul.d@yahoo.fr"}],
    )
    found = findings(config, post, rule=RULE)
    assert len(found) == 2
    assert all("@" not in (f.excerpt or "")[:5] for f in found)


def test_documentation_examples(config) -> None:
    doc = all_rules()[RULE].doc
    for reference in ("allowed_email_domains",):
        assert reference in doc
    flagged = doc.split('flagged: "')[1].split('"\n')[0]
    passes = doc.split('passes:  "')[1].split('"\n')[0]
    assert findings(config, post_with(text=flagged), rule=RULE)
    assert not findings(config, post_with(text=passes), rule=RULE)
