"""a11y-hashtag-case, a11y-emoji, a11y-fancy-unicode, a11y-caps: what screen readers make of a post."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from hospipost.rules.a11y_text import find_emoji, hashtag_problem, plain_letters
from tests.helpers import findings, post_with


def messages(config: Config, rule: str, text: str, **changes) -> list[str]:
    return [f.message for f in findings(config, post_with(text=text, **changes), rule=rule)]


def test_severities() -> None:
    rules = all_rules()
    assert rules["a11y-hashtag-case"].severity == Severity.WARNING
    assert rules["a11y-emoji"].severity == Severity.WARNING
    assert rules["a11y-fancy-unicode"].severity == Severity.ERROR
    assert rules["a11y-caps"].severity == Severity.SUGGESTION
    for rule_id in ("a11y-hashtag-case", "a11y-emoji", "a11y-fancy-unicode", "a11y-caps"):
        assert rules[rule_id].fix


# --- a11y-hashtag-case ---------------------------------------------------------------


@pytest.mark.parametrize(
    "hashtag, camel",
    [
        ("semainesecuritepatients", "SemaineSecuritePatients"),
        ("SEMAINESECURITEPATIENTS", "SemaineSecuritePatients"),
        ("Semainesecuritepatients", "SemaineSecuritePatients"),
        ("semainesécuritépatients", "SemaineSécuritéPatients"),
        ("octobrerose", "OctobreRose"),
        ("dondusang", "DonDuSang"),
        ("chuangers", "CHUAngers"),
        ("journeemondialedudiabete", "JourneeMondialeDuDiabete"),
        ("portesouvertes", "PortesOuvertes"),
        ("worldhealthday", "WorldHealthDay"),
        ("nursesweek", "NursesWeek"),
    ],
)
def test_unreadable_hashtags(config: Config, hashtag: str, camel: str) -> None:
    text = f"Le CHU d'Angers se mobilise cette semaine, venez nous rencontrer dans le hall. #{hashtag}"
    assert messages(config, "a11y-hashtag-case", text) == [
        f"Hashtag #{hashtag} is read as one word by screen readers: write it #{camel}."
    ]


@pytest.mark.parametrize(
    "hashtag",
    [
        "SemaineSécuritéPatients",
        "semaineSecuritePatients",
        "OctobreRose",
        "CHUAngers",
        "CHU",
        "Angers",
        "santé",
        "covid19",
        "COVID19",
        "SAMU49",
        "IRM",
        "canicule",
        "Canicule",
        "vaccination",
        "recrutement",
        "hospitalisation",
        "radiotherapie",
        "kinesitherapie",
        "transplantation",
        "pharmacovigilance",
        "neurochirurgie",
        "healthcare",
        "hospilike",
        "bronchiolite",
        "semaine2026",
        "endometriose",
        "Movember",
        "téléconsultation",
    ],
)
def test_readable_hashtags(config: Config, hashtag: str) -> None:
    text = f"Le CHU d'Angers se mobilise cette semaine, venez nous rencontrer dans le hall. #{hashtag}"
    assert messages(config, "a11y-hashtag-case", text) == []


def test_hashtag_reported_once_and_not_in_urls(config: Config) -> None:
    text = "Suivez #octobrerose sur https://www.chu-angers.fr/actualites#octobrerose et partagez #octobrerose"
    assert len(messages(config, "a11y-hashtag-case", text, variants={"x": "Suivez #octobrerose"})) == 1
    assert (
        messages(config, "a11y-hashtag-case", "Détails : https://www.chu-angers.fr/page#semainesecuritepatients") == []
    )


def test_very_long_unknown_hashtag(config: Config) -> None:
    assert hashtag_problem("anticonstitutionnellementtropbien") == ""
    assert messages(config, "a11y-hashtag-case", "Bravo #anticonstitutionnellementtropbien") == [
        "Hashtag #anticonstitutionnellementtropbien is read as one word by screen readers: start each of its words with a capital."
    ]


# --- a11y-emoji ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Merci à toutes les équipes soignantes pour leur engagement cette année 💙",
        "Le CHU d'Angers recrute des infirmiers et infirmières en pédiatrie. 👩‍⚕️👨‍⚕️ #recrutement",
        "Bonne année 2027 à toutes et à tous ! 🎉 ✨",
        "Nouveau : le babicoc arrive au CHU. 👶",
        "© CHU d'Angers – photo réalisée avec l'accord des familles.",
        "Inscriptions ouvertes jusqu'au 15 mars.\nRendez-vous dans le hall.\nEntrée libre. 🙂",
        "Thank you to all our nurses 💙 See you at the open day!",
        "Toutes les infos ➡️ https://www.chu-angers.fr/actualites",
        "👉 Inscriptions ouvertes jusqu'au 15 mars dans le hall.",
    ],
)
def test_sparing_emoji_pass(config: Config, text: str) -> None:
    assert messages(config, "a11y-emoji", text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("On ❤️ nos soignants, merci pour tout.", "The emoji ❤️ interrupts a sentence"),
        ("Rendez-vous 📅 le 12 mars dans le hall du CHU.", "The emoji 📅 interrupts a sentence"),
        ("We ❤️ our nurses at the CHU.", "The emoji ❤️ interrupts a sentence"),
        ("Bravo aux équipes de la maternité 🎉🎉🎉", "The emoji 🎉 is repeated 3 times in a row"),
        ("Merci 👏 👏 à nos bénévoles !", "The emoji 👏 is repeated 2 times in a row"),
        ("Merci 🙏 à toutes les équipes de nuit.", "The emoji 🙏 interrupts a sentence"),
        ("Fête de la musique au CHU 🎸🎤🎹🎷 ce vendredi !", "4 emoji in this text"),
        (
            "Au programme :\n✅ visite des blocs\n✅ rencontre avec les équipes\n✅ ateliers de premiers secours",
            "3 lines start with an emoji used as a bullet",
        ),
    ],
)
def test_emoji_problems(config: Config, text: str, expected: str) -> None:
    found = messages(config, "a11y-emoji", text)
    assert any(message.startswith(expected) for message in found), found


def test_emoji_sequences_count_as_one() -> None:
    assert [e for _, _, e in find_emoji("Famille 👨‍👩‍👧‍👦, soignante 👩🏽‍⚕️, 🇫🇷, 1️⃣ et © ®")] == [
        "👨‍👩‍👧‍👦",
        "👩🏽‍⚕️",
        "🇫🇷",
        "1️⃣",
    ]


def test_alt_texts_are_not_checked_for_emoji(config: Config) -> None:
    media = [{"file": "media/a.png", "alt": "Affiche 🎉🎉🎉 de la fête de la musique au CHU d'Angers"}]
    assert findings(config, post_with(media=media), rule="a11y-emoji") == []


# --- a11y-fancy-unicode --------------------------------------------------------------


@pytest.mark.parametrize(
    "styled, plain, style",
    [
        ("𝐍𝐨𝐮𝐯𝐞𝐚𝐮", "Nouveau", "mathematical bold"),
        ("𝘕𝘰𝘶𝘴 𝘳𝘦𝘤𝘳𝘶𝘵𝘰𝘯𝘴", "Nous recrutons", "mathematical sans-serif italic"),
        ("𝓑𝓲𝓮𝓷𝓿𝓮𝓷𝓾𝓮", "Bienvenue", "mathematical bold script"),
        ("𝕀ℝ𝕄", "IRM", "mathematical double-struck"),
        ("ⓒⓗⓤ", "chu", "circled"),
        ("ＣＨＵ", "CHU", "fullwidth"),
        ("ᴄᴏɴꜰᴇ́ʀᴇɴᴄᴇ", "conférence", "small capitals"),
        ("🅒🅗🅤", "CHU", "negative circled"),
    ],
)
def test_fancy_letters(config: Config, styled: str, plain: str, style: str) -> None:
    text = f"{styled} : la journée portes ouvertes du CHU d'Angers a lieu samedi."
    assert messages(config, "a11y-fancy-unicode", text) == [
        f"{styled!r} is written with {style} Unicode symbols that screen readers spell out or skip: write {plain!r}."
    ]
    assert plain_letters(styled) == plain


@pytest.mark.parametrize(
    "text",
    [
        "La 1ʳᵉ édition du forum des métiers, au 2ᵉ étage du bâtiment.",
        "Donneurs des groupes 🅰️ et 🅾️, le CHU a besoin de vous.",
        "Boire 1,5 ℓ d'eau par jour pendant la canicule.",
        "Les étapes : ① inscription, ② accueil, ③ visite.",
        "Le CHU d'Angers, 4 000 professionnels au service des patients.",
    ],
)
def test_plain_text_passes(config: Config, text: str) -> None:
    assert messages(config, "a11y-fancy-unicode", text) == []


def test_fancy_letters_in_alt_text(config: Config) -> None:
    media = [{"file": "media/a.png", "alt": "Affiche 𝐍𝐨𝐮𝐯𝐞𝐚𝐮 : le babicoc pour les IRM des nourrissons"}]
    found = findings(config, post_with(media=media), rule="a11y-fancy-unicode")
    assert len(found) == 1 and found[0].excerpt == "𝐍𝐨𝐮𝐯𝐞𝐚𝐮"


# --- a11y-caps -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, shouted",
    [
        ("ALERTE CANICULE : BUVEZ DE L'EAU et restez au frais.", "ALERTE CANICULE : BUVEZ DE L'EAU"),
        ("JOURNÉE PORTES OUVERTES samedi au CHU d'Angers.", "JOURNÉE PORTES OUVERTES"),
        ("APPEL À LA VIGILANCE : la bronchiolite circule.", "APPEL À LA VIGILANCE"),
        ("IMPORTANT: VISITS ARE SUSPENDED in the paediatric ward.", "IMPORTANT: VISITS ARE SUSPENDED"),
        (
            "Nos équipes RECRUTENT des INFIRMIERS et des MÉDECINS pour le SERVICE des URGENCES.",
            "RECRUTENT des INFIRMIERS et des MÉDECINS pour le SERVICE des URGENCES",
        ),
    ],
)
def test_shouting(config: Config, text: str, shouted: str) -> None:
    found = findings(config, post_with(text=text), rule="a11y-caps")
    assert [f.excerpt for f in found] == [shouted]
    assert found[0].severity == Severity.SUGGESTION


@pytest.mark.parametrize(
    "text",
    [
        "URGENT : le SAMU 49 rappelle d'appeler le 15 en cas de malaise.",
        "Le CHU d'Angers, l'ARS et la HAS présentent le plan COVID et l'IRM mobile.",
        "SAMU, SMUR, CHU, ARS, IRM : les acronymes de l'urgence expliqués.",
        "Le CHU d'Angers, l'INSERM et le CNRS signent un partenariat de recherche.",
        "TRÈS IMPORTANT : venez avec votre carte Vitale.",
        "#CANICULE #ALERTE #VIGILANCE : le CHU d'Angers active son plan.",
        "Programme sur HTTPS://WWW.CHU-ANGERS.FR/PROGRAMME-JOURNEE et à l'accueil.",
    ],
)
def test_not_shouting(config: Config, text: str) -> None:
    assert messages(config, "a11y-caps", text) == []
