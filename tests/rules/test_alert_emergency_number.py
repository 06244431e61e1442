"""alert-emergency-number: an alert tells people to call 15 or 112."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import post_with
from tests.rules.alerts_kit import CALL, LINK, alert, rule_findings


def test_severity_and_docs() -> None:
    rule = all_rules()["alert-emergency-number"]
    assert rule.severity == Severity.ERROR
    assert rule.fix


@pytest.mark.parametrize(
    "sentence",
    [
        "En cas de malaise, appelez le 15.",
        "En cas de malaise, appelez immédiatement le 15.",
        "Composez le 15 en cas de détresse respiratoire.",
        "Si votre enfant respire mal, faites le 15.",
        "En cas d'urgence, appeler le 112.",
        "Un doute ? Appel au 15, jour et nuit.",
        "En cas d'urgence vitale, contactez le SAMU (15).",
        "Urgence : le 15 (SAMU) ou le 112.",
        "SAMU : 15 — Pompiers : 18.",
        "Le SAMU-Centre 15 répond 24 h sur 24.",
        "Numéros d'urgence : 15 ou 112.",
        "En cas d'urgence\u00a0: 15",
        "In an emergency, call 112.",
        "Feeling unwell? Dial 15 straight away.",
        "Un malaise ? Vite, le 15 !",
        "Le 15 reste joignable 24 h sur 24.",
        "Appelez le SAMU au 15.",
    ],
)
def test_alert_telling_to_call_15_or_112_passes(config: Config, sentence: str) -> None:
    post = alert(f"Épidémie de bronchiolite : les urgences pédiatriques sont très sollicitées. {sentence} {LINK}")
    assert rule_findings(config, "alert-emergency-number", post) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "",
        "Vaccination jusqu'au 15 juillet.",
        "Les consultations reprennent le 15 décembre à 9 h.",
        "Rendez-vous à 15 h dans le hall.",
        "La fréquentation a augmenté de 15 % en une semaine.",
        "Il fera jusqu'à 15 degrés cette nuit.",
        "Les enfants de moins de 15 ans sont les plus touchés.",
        "Appelez votre médecin traitant.",
        "Contactez le 114 par SMS si vous êtes sourd ou malentendant.",
        "Faites le 1, puis le 5 : service vocal du CHU.",
        "Le SAMU est très sollicité, venez seulement si nécessaire.",
        "Plus d'informations au 02 41 35 36 37.",
        "Personnes sans abri : appelez le 115.",
    ],
)
def test_alert_without_the_number_to_call_is_an_error(config: Config, sentence: str) -> None:
    post = alert(f"Épidémie de bronchiolite : les urgences pédiatriques sont très sollicitées. {sentence} {LINK}")
    found = rule_findings(config, "alert-emergency-number", post)
    assert [f.message for f in found] == ["alert without the emergency number: tell people to call 15 (or 112)"]
    assert found[0].network is None and found[0].severity == Severity.ERROR


def test_only_alerts_need_the_number(config: Config) -> None:
    assert rule_findings(config, "alert-emergency-number", post_with(kind="prevention")) == []


def test_the_number_in_the_thread_counts(config: Config) -> None:
    post = alert(f"Épidémie de bronchiolite : les urgences pédiatriques sont très sollicitées. {LINK}", thread=[CALL])
    assert rule_findings(config, "alert-emergency-number", post) == []


def test_a_variant_without_the_number_names_its_network(config: Config) -> None:
    post = alert(f"Bronchiolite : {CALL} {LINK}", variants={"x": f"Bronchiolite : les urgences sont saturées. {LINK}"})
    found = rule_findings(config, "alert-emergency-number", post)
    assert [(f.network, f.message) for f in found] == [
        ("x", "alert without the emergency number: tell people to call 15 (or 112) (on x)")
    ]


def test_the_number_in_an_alt_text_only_does_not_count(config: Config) -> None:
    post = alert(
        f"Bronchiolite : les urgences sont saturées. {LINK}",
        media=[
            {"file": "media/a.png", "alt": "Affiche : en cas de difficulté à respirer, appelez le 15.", "people": False}
        ],
    )
    assert len(rule_findings(config, "alert-emergency-number", post)) == 1
