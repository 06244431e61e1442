"""duplicate-text: the same text within 30 days, reported on the later post, in linear time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hospipost.compliance import CheckContext, Severity
from hospipost.config import Config
from hospipost.posts import Post
from hospipost.rules import all_rules
from hospipost.rules.duplicate_text import normalise
from tests.helpers import NOW, findings, make_config, post_with

TEXT = "Journée portes ouvertes de l'IFSI le samedi 13 mars : rencontrez nos formateurs et nos étudiants."
NETWORKS = ["x", "facebook", "mastodon", "bluesky", "linkedin"]


def duplicates(config: Config, *posts: dict) -> list[tuple[str, str]]:
    return [(f.post.id, f.message) for f in findings(config, *posts, rule="duplicate-text")]


def test_severity_and_doc() -> None:
    rule = all_rules()["duplicate-text"]
    assert rule.severity == Severity.WARNING and rule.scope == "all"
    assert rule.fix


def test_same_text_within_30_days_is_reported_on_the_later_post(config: Config) -> None:
    later = post_with(id="jpo-rappel", at="2027-02-20 10:00", text=TEXT)
    earlier = post_with(id="jpo-annonce", at="2027-02-01 10:00", text=TEXT)
    assert duplicates(config, later, earlier) == [
        ("jpo-rappel", "same text as post 'jpo-annonce' (2027-02-01 10:00, 19 days earlier)")
    ]


@pytest.mark.parametrize(
    "other",
    [
        TEXT.upper(),
        TEXT.replace("Journée", "Journee").replace("étudiants", "etudiants"),
        TEXT.replace("'", "\u2019"),
        TEXT.replace(" : ", "\u00a0: "),
        TEXT.replace(" ", "  ").replace("formateurs et", "formateurs\net"),
        TEXT.rstrip(".") + " !",
        TEXT.rstrip("."),
        "  " + TEXT + "\n",
    ],
)
def test_normalised_text_is_the_same(config: Config, other: str) -> None:
    posts = [post_with(id="a", at="2027-02-01 10:00", text=TEXT), post_with(id="b", at="2027-02-02 10:00", text=other)]
    assert [post_id for post_id, _ in duplicates(config, *posts)] == ["b"]


@pytest.mark.parametrize(
    "other, at",
    [
        (TEXT, "2027-03-03 10:00"),  # 30 days later: outside the window
        (TEXT, "2027-06-01 10:00"),
        (TEXT.replace("13 mars", "20 mars"), "2027-02-02 10:00"),
        (TEXT + " Inscriptions à l'accueil.", "2027-02-02 10:00"),
        ("Journée portes ouvertes de l'IFSI.", "2027-02-02 10:00"),
    ],
)
def test_different_text_or_far_apart_passes(config: Config, other: str, at: str) -> None:
    posts = [post_with(id="a", at="2027-02-01 10:00", text=TEXT), post_with(id="b", at=at, text=other)]
    assert duplicates(config, *posts) == []


def test_recurring_posts_are_left_out(config: Config) -> None:
    weekly = post_with(id="weekly", at=None, every="0 9 * * MON", text=TEXT)
    once = post_with(id="once", at="2027-02-01 10:00", text=TEXT)
    assert duplicates(config, weekly, once) == []


def test_three_copies_report_each_later_one(config: Config) -> None:
    posts = [post_with(id=f"p{day}", at=f"2027-02-0{day} 10:00", text=TEXT) for day in (3, 1, 2)]
    assert sorted(duplicates(config, *posts)) == [
        ("p2", "same text as post 'p1' (2027-02-01 10:00, 1 day earlier)"),
        ("p3", "same text as post 'p2' (2027-02-02 10:00, 1 day earlier)"),
    ]


def test_same_text_on_different_networks_is_not_a_duplicate(config: Config) -> None:
    posts = [
        post_with(id="on-x", at="2027-02-01 10:00", text=TEXT, networks=["x"]),
        post_with(id="on-linkedin", at="2027-02-01 10:00", text=TEXT, networks=["linkedin"]),
    ]
    assert duplicates(config, *posts) == []


def test_variants_are_compared_per_network(config: Config) -> None:
    posts = [
        post_with(id="a", at="2027-02-01 10:00", text=TEXT, variants={"x": "JPO de l'IFSI le 13 mars."}),
        post_with(
            id="b",
            at="2027-02-05 10:00",
            text="Un tout autre texte pour Facebook.",
            variants={"x": "JPO de l'IFSI le 13 mars !"},
        ),
    ]
    assert duplicates(config, *posts) == [("b", "same text as post 'a' (2027-02-01 10:00, 4 days earlier) on x")]


def test_same_time_reports_the_second_in_file_order(config: Config) -> None:
    posts = [post_with(id="first", text=TEXT), post_with(id="second", text=TEXT)]
    assert duplicates(config, *posts) == [("second", "same text as post 'first' (2026-12-01 10:00, the same day)")]


def test_normalise() -> None:
    assert normalise("  L’Hôpital  OUVRE\u00a0ses portes ! ") == "l'hopital ouvre ses portes"
    assert normalise("...") == ""
    assert normalise("Cafe\u0301 e\u0301te\u0301 😀") == normalise("Café été 😀") == "cafe ete 😀"
    assert normalise("Le CŒUR\u202fà l’ouvrage…") == "le cour a l'ouvrage"  # as every rule folds it


def _posts(count: int, texts: int) -> list[Post]:
    start = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    return [
        Post(
            id=f"p{index}",
            queue="bulk",
            file=Path("posts/bulk.yaml"),
            line=index + 1,
            text=f"Le CHU d'Angers vous informe : message numéro {index % texts} sur la prévention.",
            networks=tuple(NETWORKS),
            at=start + timedelta(minutes=7 * index),
        )
        for index in range(count)
    ]


@pytest.mark.parametrize("texts", [20_000, 1])
def test_twenty_thousand_posts_in_bounded_time(config: Config, texts: int) -> None:
    """All distinct, then all identical (one group of 20 000): both well under 2 s, so not quadratic."""
    posts = _posts(20_000, texts)
    check = all_rules()["duplicate-text"].check
    started = time.perf_counter()
    found = list(check(posts, CheckContext(config, NOW)))
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"{elapsed:.2f} s"
    assert len(found) == (0 if texts > 1 else 19_999)


def test_the_window_is_the_rules_window_days_option(config: Config, tmp_path: Path) -> None:
    posts = [post_with(id="a", at="2027-02-01 10:00", text=TEXT), post_with(id="b", at="2027-03-18 10:00", text=TEXT)]
    assert duplicates(config, *posts) == []  # 45 days apart: outside the default 30
    wider = make_config(tmp_path, "  rules:\n    duplicate-text: {severity: error, window_days: 60}\n")
    assert duplicates(wider, *posts) == [("b", "same text as post 'a' (2027-02-01 10:00, 45 days earlier)")]
    assert {f.severity for f in findings(wider, *posts, rule="duplicate-text")} == {Severity.ERROR}
