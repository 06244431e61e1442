"""link-shortener: shortened links hide their destination; full links and e-mail addresses pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from hospipost.rules.link_shortener import SHORTENERS, shortened_links
from tests.helpers import findings, make_config, post_with


def excerpts(config: Config, text: str, **changes) -> list[str]:
    return [f.excerpt for f in findings(config, post_with(text=text, **changes), rule="link-shortener")]


def test_severity_and_doc() -> None:
    rule = all_rules()["link-shortener"]
    assert rule.severity == Severity.WARNING
    assert rule.fix


@pytest.mark.parametrize(
    "text, link",
    [
        ("Inscriptions à la conférence HospiLike : https://bit.ly/3xYzAbc", "https://bit.ly/3xYzAbc"),
        ("Le programme complet : bit.ly/hospilike2027.", "bit.ly/hospilike2027"),
        ("Toutes les infos (https://tinyurl.com/chu-angers-don).", "https://tinyurl.com/chu-angers-don"),
        ("Replay de la conférence : http://ow.ly/abc123 !", "http://ow.ly/abc123"),
        ("Lien : https://t.co/xYz9", "https://t.co/xYz9"),
        ("Ancien lien : goo.gl/maps/abc", "goo.gl/maps/abc"),
        ("Formulaire : https://buff.ly/4kLm", "https://buff.ly/4kLm"),
        ("Questionnaire : is.gd/chuQ", "is.gd/chuQ"),
        ("Inscription : https://cutt.ly/chu", "https://cutt.ly/chu"),
        ("Voir https://rebrand.ly/don-sang", "https://rebrand.ly/don-sang"),
        ("Lien court : shorturl.at/abcd1", "shorturl.at/abcd1"),
        ("Candidatures : https://lnkd.in/eXyZ", "https://lnkd.in/eXyZ"),
        ("Flux : https://dlvr.it/Sx1", "https://dlvr.it/Sx1"),
        ("Vidéo : https://rb.gy/abc", "https://rb.gy/abc"),
        ("Inscription : https://s.id/chu", "https://s.id/chu"),
        ("Le sondage : «\u00a0https://frama.link/sondage-chu\u00a0»", "https://frama.link/sondage-chu"),
        ("Le lien : HTTPS://BIT.LY/ABC", "HTTPS://BIT.LY/ABC"),
        ("Sous-domaine : https://chu.bit.ly/x", "https://chu.bit.ly/x"),
    ],
)
def test_shortened_links_are_flagged(config: Config, text: str, link: str) -> None:
    assert excerpts(config, text) == [link]


@pytest.mark.parametrize(
    "text",
    [
        "Inscriptions : https://www.chu-angers.fr/hospilike",
        "Les bons gestes : https://www.santepubliquefrance.fr/determinants-de-sante/climat/fortes-chaleurs-canicule",
        "Écrivez-nous : communication@chu-angers.fr",
        "Contact presse : presse@bit.ly",
        "Notre vidéo : https://www.youtube.com/watch?v=abc",
        "Le site https://www.chu-angers.fr/bit.ly/archives est en travaux.",
        "Le site de l'ARS : www.pays-de-la-loire.ars.sante.fr.",
        "Rendez-vous à 14 h. Venez nombreux.",
        "Le dossier habit.ly n'existe pas, pas plus que exhibit.ly.",
        "Retrouvez le rapport sur https://www.has-sante.fr/jcms/p_3282/fr/rapport.co",
    ],
)
def test_full_links_and_other_text_pass(config: Config, text: str) -> None:
    assert excerpts(config, text) == []


def test_message_names_the_shortener(config: Config) -> None:
    found = findings(config, post_with(text="Inscriptions : https://bit.ly/3xYzAbc."), rule="link-shortener")
    assert [f.message for f in found] == ["shortened link on bit.ly hides its destination: «https://bit.ly/3xYzAbc»"]


def test_variants_and_thread_are_scanned(config: Config) -> None:
    post = post_with(variants={"x": "Infos : bit.ly/a"}, thread=["Et aussi tinyurl.com/b"])
    assert sorted(f.excerpt for f in findings(config, post, rule="link-shortener")) == ["bit.ly/a", "tinyurl.com/b"]


def test_every_listed_shortener_is_found() -> None:
    for domain in SHORTENERS:
        assert [host for _, _, host in shortened_links(f"Lien : https://{domain}/abc")] == [domain], domain
        assert [host for _, _, host in shortened_links(f"Lien : {domain}/abc.")] == [domain], domain


def test_config_may_add_shorteners(config: Config, tmp_path: Path) -> None:
    text = "Inscriptions : https://lnk.example.org/ifsi et go.lnk.example.org/x, pas lnk.example.org.fr"
    assert excerpts(config, text) == []
    more = make_config(tmp_path, "  rules:\n    link-shortener: {more_shorteners: [LNK.example.org]}\n")
    assert excerpts(more, text) == ["https://lnk.example.org/ifsi", "go.lnk.example.org/x"]
    assert excerpts(more, "Résultats : https://bit.ly/3xYzAbc") == ["https://bit.ly/3xYzAbc"]
    assert [host for _, _, host in shortened_links(text, ("lnk.example.org",))] == [
        "lnk.example.org",
        "go.lnk.example.org",
    ]
