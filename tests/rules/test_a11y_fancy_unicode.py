"""a11y-fancy-unicode: plain letters, not styled Unicode symbols."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from hospipost.rules.a11y_fancy_unicode import plain_letters
from tests.helpers import findings, post_with


def messages(config: Config, rule: str, text: str, **changes) -> list[str]:
    return [f.message for f in findings(config, post_with(text=text, **changes), rule=rule)]


def test_severity_and_docs() -> None:
    rule = all_rules()["a11y-fancy-unicode"]
    assert rule.severity == Severity.ERROR
    assert rule.fix


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
