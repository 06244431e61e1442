"""a11y-emoji: few emoji, after the text, never standing for words."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from hospipost.rules.a11y_emoji import find_emoji
from tests.helpers import findings, post_with


def messages(config: Config, rule: str, text: str, **changes) -> list[str]:
    return [f.message for f in findings(config, post_with(text=text, **changes), rule=rule)]


def test_severity_and_docs() -> None:
    rule = all_rules()["a11y-emoji"]
    assert rule.severity == Severity.WARNING
    assert rule.fix


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
