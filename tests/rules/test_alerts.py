"""alert-emergency-number, alert-canicule-line, alert-official-link, alert-expiry."""

from __future__ import annotations

from pathlib import Path

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import findings, make_config, post_with

LINK = "https://www.santepubliquefrance.fr/maladies-et-traumatismes/maladies-et-infections-respiratoires/bronchiolite"
CALL = "En cas de difficulté à respirer, appelez le 15."


def alert(text: str, **changes) -> dict:
    return post_with(**{"kind": "alert", "text": text, "valid_until": "2026-12-03 19:00", **changes})


def rule_findings(config: Config, rule: str, post: dict):
    return findings(config, post, rule=rule)


def test_severities_and_docs() -> None:
    rules = all_rules()
    expected = {
        "alert-emergency-number": Severity.ERROR,
        "alert-canicule-line": Severity.WARNING,
        "alert-official-link": Severity.WARNING,
        "alert-expiry": Severity.ERROR,
    }
    for rule_id, severity in expected.items():
        assert rules[rule_id].severity == severity
        assert rules[rule_id].fix


# --- alert-emergency-number ----------------------------------------------------------


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


# --- alert-canicule-line -------------------------------------------------------------

HEAT_ADVICE = "buvez de l'eau régulièrement, fermez les volets et prenez des nouvelles de vos proches."


@pytest.mark.parametrize(
    "opening",
    [
        "Canicule :",
        "Épisode caniculaire en Maine-et-Loire :",
        "Fortes chaleurs :",
        "Grandes chaleurs cette semaine :",
        "Vague de chaleur :",
        "Plan grand chaleur activé au CHU :",
        "Coup de chaleur : les bons réflexes,",
        "Heatwave in Anjou:",
    ],
)
def test_heat_wave_post_without_the_line_is_a_warning(config: Config, opening: str) -> None:
    post = post_with(kind="prevention", text=f"{opening} {HEAT_ADVICE}")
    found = rule_findings(config, "alert-canicule-line", post)
    assert [f.message for f in found] == ["heat-wave post without the Canicule info service number 0 800 06 66 66"]


@pytest.mark.parametrize(
    "number",
    [
        "0 800 06 66 66",
        "0800 06 66 66",
        "0800066666",
        "0 800\u00a006\u00a066\u00a066",
        "0800.06.66.66",
        "0800-06-66-66",
        "+33 800 06 66 66",
    ],
)
def test_the_line_in_any_spacing_passes(config: Config, number: str) -> None:
    post = post_with(kind="prevention", text=f"Canicule : {HEAT_ADVICE} Canicule info service : {number}.")
    assert rule_findings(config, "alert-canicule-line", post) == []


@pytest.mark.parametrize(
    "text",
    [
        "Merci pour la chaleur de votre accueil lors de la journée portes ouvertes.",
        "Hiver : pensez à vous couvrir et à aérer votre logement.",
        "La chaleur humaine de nos équipes de soins palliatifs.",
        "Bouffées de chaleur et ménopause : une conférence ouverte à tous.",
    ],
)
def test_posts_not_about_a_heat_wave_pass(config: Config, text: str) -> None:
    assert rule_findings(config, "alert-canicule-line", post_with(text=text)) == []


def test_the_line_is_required_only_while_active(tmp_path: Path) -> None:
    config = make_config(tmp_path / "site")
    config.compliance.canicule_line_active = False
    post = post_with(kind="prevention", text=f"Canicule : {HEAT_ADVICE}")
    assert rule_findings(config, "alert-canicule-line", post) == []


def test_a_heat_wave_variant_without_the_line_names_its_network(config: Config) -> None:
    post = post_with(
        kind="prevention",
        text=f"Canicule : {HEAT_ADVICE} Canicule info service : 0 800 06 66 66.",
        variants={"x": f"Canicule : {HEAT_ADVICE}"},
    )
    assert [f.network for f in rule_findings(config, "alert-canicule-line", post)] == ["x"]


# --- alert-official-link -------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        LINK,
        "santepubliquefrance.fr/determinants-de-sante/climat/fortes-chaleurs-canicule",
        "https://www.pays-de-la-loire.ars.sante.fr/canicule",
        "https://vigilance.meteofrance.com",
        "www.chu-angers.fr/urgences",
        "https://sante.gouv.fr/sante-et-environnement/risques-climatiques/canicule",
    ],
)
def test_alert_with_an_official_link_passes(config: Config, link: str) -> None:
    assert rule_findings(config, "alert-official-link", alert(f"Bronchiolite : {CALL} Infos : {link}")) == []


@pytest.mark.parametrize(
    "link",
    [
        "",
        "https://www.doctissimo.fr/bronchiolite",
        "https://bit.ly/3xYzAbc",
        "https://santepubliquefrance.fr.example.com/canicule",
        "https://fakesantepubliquefrance.fr/canicule",
        "contact@chu-angers.fr",
    ],
)
def test_alert_without_an_official_link_is_a_warning(config: Config, link: str) -> None:
    found = rule_findings(config, "alert-official-link", alert(f"Bronchiolite : {CALL} Infos : {link}"))
    assert [f.message for f in found] == ["alert without a link to an official source"]


def test_only_alerts_need_an_official_link(config: Config) -> None:
    assert rule_findings(config, "alert-official-link", post_with(kind="news")) == []


# --- alert-expiry --------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"text": f"Canicule : {CALL} Canicule info service : 0 800 06 66 66. {LINK}"},
        {"at": "2027-01-15 09:00"},
        {"at": "2026-12-01T10:00:00+01:00"},
        {"networks": ["x"]},
        {"at": None, "every": "0 9 * * MON", "until": "2027-03-01"},
    ],
)
def test_alert_without_valid_until_is_an_error(config: Config, changes: dict) -> None:
    post = post_with(**{"kind": "alert", "text": f"Bronchiolite : {CALL} {LINK}", **changes})
    found = rule_findings(config, "alert-expiry", post)
    assert [f.message for f in found] == ["alert without `valid_until:` (when it stops being published)"]
    assert found[0].severity == Severity.ERROR


@pytest.mark.parametrize(
    "valid_until",
    ["2026-12-01 09:00", "2026-12-01 10:00", "2026-11-30 19:00", "2026-11-01 10:00", "2026-12-01 09:59"],
)
def test_alert_scheduled_at_or_after_its_expiry_is_an_error(config: Config, valid_until: str) -> None:
    post = alert(f"Bronchiolite : {CALL} {LINK}", valid_until=valid_until)
    found = rule_findings(config, "alert-expiry", post)
    assert len(found) == 1 and "it can never be published" in found[0].message
    assert f"valid_until {valid_until}" in found[0].message


@pytest.mark.parametrize(
    "valid_until",
    [
        "2026-12-01 10:01",
        "2026-12-01 19:00",
        "2026-12-03 19:00",
        "2026-12-02T18:00:00+01:00",
        "2026-12-31",
        "2027-01-01 00:00",
    ],
)
def test_alert_valid_after_its_time_passes(config: Config, valid_until: str) -> None:
    post = alert(f"Bronchiolite : {CALL} {LINK}", valid_until=valid_until)
    assert rule_findings(config, "alert-expiry", post) == []


def test_offsets_are_compared_as_instants(config: Config) -> None:
    # 10:00 in Paris is 09:00 UTC: valid until 09:30 UTC is after it.
    post = alert(f"Bronchiolite : {CALL} {LINK}", valid_until="2026-12-01T09:30:00Z")
    assert rule_findings(config, "alert-expiry", post) == []
    post = alert(f"Bronchiolite : {CALL} {LINK}", valid_until="2026-12-01T08:30:00Z")
    assert len(rule_findings(config, "alert-expiry", post)) == 1


def test_other_kinds_need_no_expiry(config: Config) -> None:
    assert rule_findings(config, "alert-expiry", post_with(kind="event")) == []


def test_the_example_heat_wave_alert_passes_every_alert_rule(config: Config) -> None:
    text = (
        "Fortes chaleurs : le CHU d'Angers active son plan grandes chaleurs. Buvez de l'eau, restez au frais.\n"
        "En cas de malaise, appelez le 15.\nCanicule info service : 0 800 06 66 66\n"
        "https://www.santepubliquefrance.fr/determinants-de-sante/climat/fortes-chaleurs-canicule"
    )
    post = alert(text)
    for rule_id in ("alert-emergency-number", "alert-canicule-line", "alert-official-link", "alert-expiry"):
        assert rule_findings(config, rule_id, post) == [], rule_id
