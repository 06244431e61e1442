"""a11y-alt-text: every image has an alt text that describes it, within each network's limit."""

from __future__ import annotations

import pytest

from hospipost.config import Config
from tests.helpers import findings, post_with

RULE = "a11y-alt-text"


def alt_findings(config: Config, alt: str | None, file: str = "media/affiche-depistage.png", networks=None):
    item = {"file": file} if alt is None else {"file": file, "alt": alt}
    changes = {"media": [item]}
    if networks:
        changes["networks"] = networks
    return findings(config, post_with(**changes), rule=RULE)


@pytest.mark.parametrize(
    "alt",
    [
        "Affiche Octobre rose : dépistage du cancer du sein gratuit dès 50 ans, parlez-en à votre médecin.",
        "Deux infirmières installent un nourrisson dans le babicoc avant son examen d'IRM.",
        "Infographie : en cas de fortes chaleurs, buvez de l'eau, fermez les volets, appelez le 15 en cas de malaise.",
        "Logo du CHU d'Angers",
        "Photo 1 : l’équipe de radiologie devant la nouvelle IRM.",
        "Nurses of the paediatric ward wave at the camera in the new playroom.",
    ],
)
def test_descriptive_alt_texts_pass(config: Config, alt: str) -> None:
    assert alt_findings(config, alt) == []


@pytest.mark.parametrize(
    "alt, expected",
    [
        (None, "has no alt text"),
        ("", "has no alt text"),
        ("   ", "has no alt text"),
        ("IMG_2041.jpg", "has a file name as alt text"),
        ("photo.png", "has a file name as alt text"),
        ("DSC01234", "has a file name as alt text"),
        ("PXL_20261123_101532123.jpg", "has a file name as alt text"),
        ("Capture d’écran 2026-11-23 à 10.15.32", "has a file name as alt text"),
        ("Screenshot_20261123-101532", "has a file name as alt text"),
        ("affiche-depistage", "has a file name as alt text"),  # the file's own name
        ("image", "has a placeholder as alt text"),
        ("Photo", "has a placeholder as alt text"),
        ("img", "has a placeholder as alt text"),
        ("capture d'écran", "has a placeholder as alt text"),
        ("Screenshot", "has a placeholder as alt text"),
        ("Visuel", "has a placeholder as alt text"),
        ("illustration", "has a placeholder as alt text"),
        ("image de …", "has a placeholder as alt text"),
        ("Image de...", "has a placeholder as alt text"),
        ("Photo de", "has a placeholder as alt text"),
        ("texte alternatif", "has a placeholder as alt text"),
        ("Équipe IRM", "has an alt text too short to describe it"),
        ("Affiche Dépistage", "has a file name as alt text"),  # its own name again, spaced and accented
        ("Affiche campagne", "has an alt text too short to describe it"),
    ],
)
def test_missing_or_meaningless_alt_texts(config: Config, alt: str | None, expected: str) -> None:
    found = alt_findings(config, alt)
    assert len(found) == 1, [f.message for f in found]
    assert found[0].network is None
    assert found[0].message.startswith("media[0] 'media/affiche-depistage.png' " + expected)


def test_every_image_is_checked(config: Config) -> None:
    media = [
        {"file": "media/a.png", "alt": "Le hall d'accueil rénové du bâtiment femme-mère-enfant."},
        {"file": "media/b.png", "alt": "image"},
        {"file": "media/c.png"},
    ]
    found = findings(config, post_with(media=media), rule=RULE)
    assert [f.message.split(" has ")[0] for f in found] == ["media[1] 'media/b.png'", "media[2] 'media/c.png'"]


def test_excerpt_and_line_point_at_the_alt_text(config: Config) -> None:
    [found] = alt_findings(config, "IMG_2041.jpg")
    assert found.excerpt == "IMG_2041.jpg"
    assert found.line == found.post.lines["media[0].alt"]


@pytest.mark.parametrize(
    "length, networks, flagged",
    [
        (1000, ["x", "mastodon", "bluesky", "facebook", "linkedin"], set()),
        (1001, ["x", "mastodon", "bluesky", "facebook", "linkedin"], {"x"}),  # X: 1000
        (1501, ["x", "mastodon", "bluesky"], {"x", "mastodon"}),  # Mastodon: 1500
        (1501, ["bluesky", "facebook", "linkedin"], set()),  # no declared limit
    ],
)
def test_alt_length_per_network(config: Config, length: int, networks: list[str], flagged: set[str]) -> None:
    sentence = "Infographie des gestes qui sauvent pendant une canicule, à retenir et à partager. "
    alt = (sentence * (length // len(sentence) + 1))[:length]
    found = alt_findings(config, alt, networks=networks)
    assert {f.network for f in found} == flagged
    for f in found:
        assert f.message.startswith(f"{'X' if f.network == 'x' else 'Mastodon'} takes alt texts up to ")
        assert f.message.endswith(f"media[0] has {length}.")


def test_post_without_media_passes(config: Config) -> None:
    assert findings(config, post_with(), rule=RULE) == []
