"""network-length: each part each network receives fits its limit, counted the network's way."""

from __future__ import annotations

import dataclasses

import pytest

from hospipost.config import Config
from hospipost.networks.x import X
from hospipost.rules import network_length as module
from hospipost.textlength import char_length, grapheme_length, mastodon_length
from hospipost.twittertext import weighted_length
from tests.helpers import findings, post_with

RULE = "network-length"
URL = "https://www.santepubliquefrance.fr/determinants-de-sante/climat/fortes-chaleurs-canicule"
SENTENCE = "Le CHU d'Angers accueille les familles dans le nouveau hall de pédiatrie, rénové avec les soignants. "
FAMILY = "👨‍👩‍👧‍👦"  # one grapheme, 25 UTF-8 bytes, 2 on X


def text_of(length: int, base: str = SENTENCE) -> str:
    """A French text of exactly ``length`` characters."""
    return (base * (length // len(base) + 1))[:length].rstrip().ljust(length, "s")


def flagged(config: Config, **changes) -> dict[str | None, str]:
    return {f.network: f.message for f in findings(config, post_with(**changes), rule=RULE)}


def test_clean_post_passes(config: Config) -> None:
    assert flagged(config) == {}


@pytest.mark.parametrize(
    "text, networks, expected",
    [
        # X: 280 weighted characters; accents and « » weigh 1
        (text_of(280), ["x"], {}),
        (text_of(281), ["x"], {"x"}),
        ("é" * 280, ["x"], {}),
        # a URL counts 23 on X and Mastodon, whatever its length
        (text_of(250) + " " + URL, ["x", "mastodon"], {}),
        (text_of(256) + " " + URL, ["x"], {}),
        (text_of(257) + " " + URL, ["x"], {"x"}),
        # an emoji counts 2 on X, a family too; 1 grapheme on Bluesky
        (text_of(278) + " 💙", ["x"], {"x"}),
        (text_of(277) + " 💙", ["x"], {}),
        (text_of(298) + " " + FAMILY, ["bluesky"], {}),
        # Bluesky: 300 graphemes (the URL counts in full), then 3000 bytes
        (text_of(300), ["bluesky"], {}),
        (text_of(250) + " " + URL, ["bluesky"], {"bluesky"}),
        (text_of(301), ["bluesky", "mastodon", "linkedin", "facebook"], {"bluesky"}),
        # Mastodon: 500, URLs 23
        (text_of(500), ["mastodon"], {}),
        (text_of(501), ["mastodon"], {"mastodon"}),
        (text_of(470) + " " + URL, ["mastodon"], {}),  # 561 characters, counts 494
        (text_of(490) + " " + URL, ["mastodon"], {"mastodon"}),
        # LinkedIn 3000, Facebook 63 206
        (text_of(3000), ["linkedin"], {}),
        (text_of(3001), ["linkedin", "facebook"], {"linkedin"}),
        (text_of(63206), ["facebook"], {}),
        (text_of(63207), ["facebook"], {"facebook"}),
        # only the post's networks count
        (text_of(600), ["facebook", "linkedin"], {}),
    ],
)
def test_limits(config: Config, text: str, networks: list[str], expected: set[str]) -> None:
    assert set(flagged(config, text=text, networks=networks)) == set(expected)


def test_message_gives_count_limit_and_excess(config: Config) -> None:
    assert flagged(config, text=text_of(312), networks=["x"]) == {"x": "X: 312 / 280 weighted characters, 32 too many."}
    assert flagged(config, text=text_of(302), networks=["bluesky"]) == {
        "bluesky": "Bluesky: 302 / 300 graphemes, 2 too many."
    }


def test_bluesky_bytes(config: Config) -> None:
    # 200 graphemes are within 300, but 200 families weigh 5 000 UTF-8 bytes
    found = findings(config, post_with(text=FAMILY * 200, networks=["bluesky"]), rule=RULE)
    assert [(f.network, f.message) for f in found] == [("bluesky", "Bluesky: 5000 / 3000 UTF-8 bytes, 2000 too many.")]


def test_variant_is_measured_and_named(config: Config) -> None:
    long, short = (
        text_of(400),
        "Le CHU d'Angers ouvre un nouveau hall en pédiatrie : https://www.chu-angers.fr/pediatrie",
    )
    assert (
        flagged(config, text=long, variants={"x": short, "bluesky": short}, networks=["x", "bluesky", "facebook"]) == {}
    )
    found = findings(config, post_with(text=short, variants={"x": long}, networks=["x", "mastodon"]), rule=RULE)
    assert [(f.network, f.message) for f in found] == [
        ("x", "X: 400 / 280 weighted characters (X variant), 120 too many.")
    ]
    assert found[0].line == found[0].post.lines["variants.x"]


def test_thread_parts_are_measured_one_by_one(config: Config) -> None:
    thread = ["Deuxième partie : les horaires de visite changent le 4 janvier.", text_of(290)]
    found = findings(
        config, post_with(text=text_of(200), thread=thread, networks=["x", "mastodon", "facebook"]), rule=RULE
    )
    assert [(f.network, f.message) for f in found] == [
        ("x", "X: 290 / 280 weighted characters (thread part 3 of 3), 10 too many."),
    ]
    assert found[0].line == found[0].post.lines["thread[1]"]


def test_thread_is_joined_where_there_are_no_threads(config: Config) -> None:
    found = findings(config, post_with(text=text_of(2000), thread=[text_of(1200)], networks=["linkedin"]), rule=RULE)
    assert [(f.network, f.message) for f in found] == [
        ("linkedin", "LinkedIn: 3202 / 3000 characters (text and thread joined, as it has no threads), 202 too many."),
    ]


def test_an_emoji_within_latin1_weighs_two_on_x(config: Config) -> None:
    # © and ® are emoji for X: 279 letters and a © weigh 281.
    assert flagged(config, text="©" + "a" * 279, networks=["x"]) == {
        "x": "X: 281 / 280 weighted characters, 1 too many."
    }


def test_limits_come_from_the_adapter(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(X, "limits", dataclasses.replace(X.limits, max_length=100))
    assert flagged(config, text=text_of(150), networks=["x"]) == {"x": "X: 150 / 100 weighted characters, 50 too many."}


@pytest.mark.parametrize(
    "text",
    [
        text_of(300),
        text_of(200) + " " + URL + " " + URL,
        "@alice@social.example.org " + URL,
        FAMILY * 10,
        "e\u0301" * 20,
        "a\r\nb",
        "a.co b.co c.co d.co",
        "Voir t.co/x et chu-angers.fr.",
        "L’équipe « soins » : 15 h\u202f–\u00a0fin…",
        "\u0344\u0958" * 30,
        "©" * 10 + "®" * 10,
        "a.fr" * 10,
        "x.y.z.fr " * 8,
    ],
)
def test_upper_bounds_never_undercount(text: str) -> None:
    for count in (char_length, grapheme_length, mastodon_length, weighted_length):
        assert module._UPPER_BOUNDS[count](text) >= count(text)


def test_the_x_upper_bound_never_undercounts_random_texts() -> None:
    import random

    rng = random.Random(11)
    pieces = [
        "a",
        "é",
        "’",
        "«",
        " ",
        ".",
        "x.co",
        "https://www.chu-angers.fr/a",
        "www.santepubliquefrance.fr",
        "#Santé",
        "\u00a0",
        "\u2013",
        "15",
        "@chu",
        "co.",
        "a.b.c",
        "\u0301",
        "\u202f",
        "😷",
        "日",
        "©",
        "®",
        "\r\n",
        "a.fr",
        "a.fr/b.fr",
        "x.y.fr,z.fr",
        "https://t.co/ab",
        "ab.cd.ef.gh",
    ]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 60)))
        assert module._UPPER_BOUNDS[weighted_length](text) >= weighted_length(text), text


@pytest.mark.parametrize("character", ["\ufffe", "\ufeff", "\uffff"])
def test_characters_x_refuses_are_flagged_however_short(config: Config, character: str) -> None:
    found = flagged(config, text=f"Portes ouvertes{character} samedi.", networks=["x", "mastodon"])
    assert set(found) == {"x"}
    assert f"U+{ord(character):04X} at character 16" in found["x"] and "refuses" in found["x"]


def test_refused_character_in_a_thread_part_names_the_part(config: Config) -> None:
    found = findings(config, post_with(networks=["x"], thread=["Suite du fil.", "Fin\uffff du fil."]), rule=RULE)
    assert [(f.network, f.message.split(":")[0]) for f in found] == [("x", "X (thread part 3 of 3)")]


def test_instagram_caps_hashtags_and_mentions(config: Config) -> None:
    tags = " ".join(f"#sante{n}" for n in range(31))
    people = " ".join(f"@service.{n}" for n in range(21))
    assert flagged(config, text=f"Journée du don. {tags}", networks=["instagram"]) == {
        "instagram": "Instagram: 31 hashtags, at most 30: remove 1."
    }
    assert flagged(config, text=f"Merci à {people}.", networks=["instagram"]) == {
        "instagram": "Instagram: 21 @mentions, at most 20: remove 1."
    }
    thirty = " ".join(f"#sante{n}" for n in range(30))
    assert flagged(config, text=f"Journée du don. {thirty} contact@chu-angers.fr", networks=["instagram"]) == {}
    assert flagged(config, text=f"Don. {tags}", networks=["x"]) == {}  # 31 hashtags: X has no such cap


def test_threads_counts_500_characters(config: Config) -> None:
    assert flagged(config, text=text_of(500), networks=["threads"]) == {}
    assert flagged(config, text=text_of(501), networks=["threads"]) == {
        "threads": "Threads: 501 / 500 characters, 1 too many."
    }
