"""X's weighted length (twitter-text v3): the official conformance suite, French texts, the reference.

The conformance cases are read from ``../shared/conformance/twitter-text/validate.yml``
(never copied into the repository); they are skipped with a reason when it is absent.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import timeit
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hospipost import twittertext
from hospipost.cli import cli
from hospipost.twittertext import MAX_WEIGHTED_LENGTH, is_valid, parse, weighted_length
from tests.conftest import SHARED
from tests.helpers import CONFIG_YAML

VALIDATE_YML = SHARED / "conformance/twitter-text/validate.yml"
SECTIONS = ("WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest")


def _conformance_cases() -> list:
    if not VALIDATE_YML.is_file():
        return [
            pytest.param(
                None,
                None,
                marks=pytest.mark.skip(reason=f"twitter-text conformance suite not found at {VALIDATE_YML}"),
                id="conformance-suite-absent",
            )
        ]
    tests = yaml.safe_load(VALIDATE_YML.read_text(encoding="utf-8"))["tests"]
    return [
        pytest.param(section, case, id=f"{section}-{index}-{case['description'][:50]}")
        for section in SECTIONS
        for index, case in enumerate(tests[section])
    ]


@pytest.mark.parametrize("section, case", _conformance_cases())
def test_conformance(section: str, case: dict) -> None:
    result = parse(case["text"])
    assert result.weighted_length == case["expected"]["weightedLength"]
    assert result.valid == case["expected"]["valid"]
    assert weighted_length(case["text"]) == case["expected"]["weightedLength"]


URL = "https://www.chu-angers.fr/actualites/salle-attente-pediatrie"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", 0),
        ("Le CHU d'Angers", 15),
        # accents, « », NBSP, typographic apostrophe: all in the weight-1 ranges
        ("Fortes chaleurs : « buvez de l’eau », ne sortez pas aux heures chaudes.", 71),
        ("Journée\u00a0portes ouvertes", 23),
        # decomposed é (e + U+0301) is NFC-normalised first: one character
        ("Journe\u0301e", 7),
        # NNBSP (U+202F), ellipsis (U+2026), euro sign: outside the ranges, 2 each
        ("Venez\u202f! Entrée libre… 0 €", 25 + 3),
        # a URL counts 23 whatever its length, with or without protocol
        (f"Infos : {URL}", 8 + 23),
        ("Infos sur chu-angers.fr.", 10 + 23 + 1),
        ("Voir www.santepubliquefrance.fr/canicule et has-sante.fr", 5 + 23 + 4 + 23),
        ("«has-sante.fr»", 1 + 23 + 1),
        ("t.co/abc et https://t.co/abcdef", 23 + 4 + 23),
        # not URLs: no valid TLD, e-mail address, hashtag
        ("fin.Le patient", 14),
        ("contact@chu-angers.fr", 21),
        ("#chu.fr", 7),
        # emoji: one unit of 2 each, a whole sequence included
        ("Merci 💙", 6 + 2),
        ("👩🏽‍⚕️", 2),
        ("👨‍👩‍👧‍👦", 2),
        ("🇫🇷", 2),
        ("1️⃣ Inscrivez-vous", 2 + 15),
        ("🏴󠁧󠁢󠁳󠁣󠁴󠁿", 2),
        # CJK: 2 each
        ("日本", 4),
        # CRLF counts as one line break
        ("a\r\nb", 3),
    ],
)
def test_weighted_length(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_limit_and_validity() -> None:
    assert MAX_WEIGHTED_LENGTH == 280
    assert is_valid("é" * 280)
    assert not is_valid("é" * 281)
    assert is_valid("日" * 140) and not is_valid("日" * 141)
    assert not is_valid("")
    assert not is_valid("Bonjour\ufeff")  # invalid character
    # 257 characters plus a 60-character URL: 257 + 23 = 280
    assert is_valid("x" * 256 + " " + URL)
    assert not is_valid("x" * 257 + " " + URL)


def test_newer_emoji_count_by_code_point() -> None:
    # Unicode 15 "family: adult, adult, child" is not in twitter-text's Unicode 12 table:
    # 3 people (2 each) and 2 ZWJ (1 each), as X's own counter does; over-counting is safe.
    assert weighted_length("🧑‍🧑‍🧒") == 8
    assert weighted_length("🫠") == 2


# Pieces of realistic and adversarial texts, compared with the vendored reference.
_PIECES = [
    "Le",
    "CHU",
    "d'Angers",
    "l’équipe",
    "pédiatrie",
    "«",
    "»",
    "\u00a0",
    "\u202f",
    ":",
    "!",
    ".",
    "…",
    "€",
    "©",
    "®",
    URL,
    "http://test.co",
    "www.santepubliquefrance.fr/canicule?x=1&y=2",
    "chu-angers.fr",
    "has-sante.fr/a(b)c",
    "https://t.co/abcdefghij?x=1",
    "https://t.co/" + "a" * 45,
    "M.Dupont",
    "a_b.example.com",
    "http://foobar.پاکستان/",
    "http://あいうえお.com",
    "café.fr",
    "chu.fr:8080/x",
    "test.co.uk",
    "example.comx",
    "-chu.fr",
    "foo@bar.fr",
    "日本語.jp",
    "https://" + "a" * 70 + ".com",
    "1⃣",
    "#️⃣",
    "5\ufe0f\u20e3",
    "\u200d",
    "\u2066",
    "\u202a",
    "\ufeff",
    "\r\n",
    "\n",
    "e\u0301",
    "故人",
    "🧑‍🧑‍🧒",
    "🏽",
    "🇫",
    "🇫🇷",
    "👨‍👩‍👧‍👦",
    "🙋🏽",
    "❤️",
    "❤",
    "(",
    ")",
    "/",
    "#",
    "@",
    "12",
]


def test_same_as_vendored_reference() -> None:
    from hospipost._vendor.twitter_text import parse_tweet
    from hospipost._vendor.twitter_text.emoji_data import EMOJI

    rng = random.Random(2027)
    emoji = list(EMOJI)
    for _ in range(1500):
        parts = []
        for _ in range(rng.randint(1, 20)):
            roll = rng.random()
            parts.append(
                rng.choice(emoji)
                if roll < 0.15
                else chr(rng.randint(0x20, 0x2FFF))
                if roll < 0.2
                else rng.choice(_PIECES)
            )
            parts.append(rng.choice(["", " ", "\n", "."]))
        text = "".join(parts)
        reference = parse_tweet(text)
        assert parse(text) == (reference.weightedLength, reference.valid), repr(text)


def test_url_patterns_are_the_vendored_ones() -> None:
    """The fast URL regex is the vendored one with only its TLD alternations rewritten as tries."""
    from hospipost._vendor.twitter_text.regexp.extract_url import extract_url
    from hospipost._vendor.twitter_text.regexp.valid_ascii_domain import valid_ascii_domain

    gtld, cctld = twittertext._vendored_tld_patterns()
    assert twittertext.assemble_url_patterns(gtld, cctld) == (extract_url.pattern, valid_ascii_domain.pattern)
    for pattern in (gtld, cctld):
        names = twittertext.tld_names(pattern)
        trie = twittertext.tld_trie(names)
        import re

        for name in names:
            assert re.fullmatch(trie, name, re.IGNORECASE) and re.fullmatch(pattern, name, re.IGNORECASE)


def test_imports_without_pkg_resources() -> None:
    code = (
        "import sys; sys.modules['pkg_resources'] = None\n"
        "from hospipost.twittertext import weighted_length\n"
        "from hospipost._vendor.twitter_text import parse_tweet\n"
        "assert weighted_length('Merci 💙 https://www.chu-angers.fr') == 32\n"
        "assert parse_tweet('Merci 💙 https://www.chu-angers.fr').weightedLength == 32\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert result.returncode == 0, result.stderr


def test_fast_enough() -> None:
    text = (
        "Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie : "
        "« un espace calme, lumineux et pensé avec les parents ». Venez la découvrir lors de la journée "
        "portes ouvertes, le 12 décembre de 14 h à 17 h, dans le hall du bâtiment femme-mère-enfant."
    )
    assert 200 <= len(text) <= 280
    weighted_length(text + " " + URL + " 🎉")  # load the tables once
    runs = 2000
    per_call = min(timeit.repeat(lambda: weighted_length(text), number=runs, repeat=3)) / runs
    assert per_call < 50e-6, f"{per_call * 1e6:.1f} µs per call"


def test_conformance_through_check(tmp_path: Path) -> None:
    """`hospipost check` agrees with the suite on every case: network-length flags an X post
    exactly when the case is invalid, and the weighted length shows through the limit: the case
    padded with a line of x to 280 passes (when valid), padded beyond it is flagged with its count.
    (A post's text is stripped, so the case's own post is kept for cases without edge spaces.)"""
    if not VALIDATE_YML.is_file():
        pytest.skip(f"twitter-text conformance suite not found at {VALIDATE_YML}")
    tests = yaml.safe_load(VALIDATE_YML.read_text(encoding="utf-8"))["tests"]
    cases = [case for section in SECTIONS for case in tests[section]]
    posts, expected = [], {}
    for number, case in enumerate(cases):
        text, length, valid = case["text"], case["expected"]["weightedLength"], case["expected"]["valid"]
        padding = max(1, 280 - length)
        texts = {f"case-{number}-over": (f"{text}\n{'x' * padding}", True, f"{length + 1 + padding} / 280")}
        if text == text.strip():
            texts[f"case-{number}"] = (text, not valid, f"{length} / 280" if length > 280 else None)
        if length < 280:
            texts[f"case-{number}-fits"] = (f"{text}\n{'x' * (279 - length)}", not valid, None)
        for post_id, (post_text, flagged, count) in texts.items():
            posts.append({"id": post_id, "at": "2026-12-01 10:00", "text": post_text, "networks": ["x"]})
            expected[post_id] = (flagged, count)
    (tmp_path / "posts").mkdir()
    (tmp_path / "config.yaml").write_text(CONFIG_YAML, encoding="utf-8")
    (tmp_path / "posts" / "conformance.yaml").write_text(yaml.safe_dump({"posts": posts}), encoding="utf-8")

    result = CliRunner().invoke(
        cli, ["--config", str(tmp_path / "config.yaml"), "check", "--format", "json", "--now", "2026-11-23 11:00"]
    )

    messages: dict[str, list[str]] = {post_id: [] for post_id in expected}
    for finding in json.loads(result.output)["findings"]:
        if finding["rule"] == "network-length":
            messages[finding["post"]].append(finding["message"])
    for post_id, (flagged, count) in expected.items():
        assert bool(messages[post_id]) == flagged, (post_id, messages[post_id])
        if count:
            assert any(count in message for message in messages[post_id]), (post_id, messages[post_id])
    assert len(cases) >= 20 and sum(flagged for flagged, _ in expected.values()) >= 20
