"""Recurring posts: each occurrence is its own delivery, at local wall-clock time across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hospipost.config import Config
from hospipost.errors import InputError
from hospipost.ledger import Ledger
from hospipost.publisher import Publisher, candidates, plan
from hospipost.recurrence import next_occurrences, occurrences
from tests.fakes.adapter import FakeNetworkSet
from tests.helpers import make_posts, post_with

PARIS = ZoneInfo("Europe/Paris")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def weekly(config: Config, every: str = "0 9 * * MON", **changes):
    [post] = make_posts(config, post_with(**{"at": None, "every": every, "networks": ["x"], **changes}))
    return post


def walls(found) -> list[str]:
    return [o.at.astimezone(PARIS).strftime("%Y-%m-%d %H:%M %Z") for o in found]


def test_a_weekly_post_stays_at_nine_across_both_dst_changes(config: Config) -> None:
    post = weekly(config)
    spring = occurrences(post, local(2027, 3, 20), local(2027, 4, 6), "Europe/Paris")
    assert walls(spring) == ["2027-03-22 09:00 CET", "2027-03-29 09:00 CEST", "2027-04-05 09:00 CEST"]
    autumn = occurrences(post, local(2026, 10, 18), local(2026, 11, 3), "Europe/Paris")
    assert walls(autumn) == ["2026-10-19 09:00 CEST", "2026-10-26 09:00 CET", "2026-11-02 09:00 CET"]


def test_a_time_in_the_spring_gap_fires_after_the_jump(config: Config) -> None:
    post = weekly(config, "30 2 * * SUN")
    found = occurrences(post, local(2027, 3, 20), local(2027, 4, 5), "Europe/Paris")
    assert walls(found) == ["2027-03-21 02:30 CET", "2027-03-28 03:30 CEST", "2027-04-04 02:30 CEST"]


def test_a_time_in_the_autumn_fold_fires_once(config: Config) -> None:
    post = weekly(config, "30 2 * * SUN")
    found = list(occurrences(post, local(2026, 10, 20), local(2026, 11, 2), "Europe/Paris"))
    assert walls(found) == ["2026-10-25 02:30 CEST", "2026-11-01 02:30 CET"]
    assert len({o.key for o in found}) == 2


def test_half_hourly_firings_neither_skip_nor_double_on_dst_days(config: Config) -> None:
    post = weekly(config, "*/30 * * * *")
    autumn = walls(
        occurrences(
            post,
            datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 2, 30, tzinfo=UTC),
            "Europe/Paris",
        )
    )
    assert autumn == ["2026-10-25 02:00 CEST", "2026-10-25 02:30 CEST", "2026-10-25 03:00 CET", "2026-10-25 03:30 CET"]
    spring = walls(occurrences(post, local(2027, 3, 28, 1, 0), local(2027, 3, 28, 4, 0), "Europe/Paris"))
    assert spring == [
        "2027-03-28 01:00 CET",
        "2027-03-28 01:30 CET",
        "2027-03-28 03:00 CEST",
        "2027-03-28 03:30 CEST",
        "2027-03-28 04:00 CEST",
    ]


def test_at_starts_and_until_ends_the_series(config: Config) -> None:
    post = weekly(config, at="2027-01-10 00:00", until="2027-01-31")
    found = occurrences(post, local(2027, 1, 1), local(2027, 3, 1), "Europe/Paris")
    assert walls(found) == ["2027-01-11 09:00 CET", "2027-01-18 09:00 CET", "2027-01-25 09:00 CET"]


def test_next_occurrences(config: Config) -> None:
    post = weekly(config)
    assert walls(next_occurrences(post, local(2027, 1, 4, 9, 0), "Europe/Paris", 2)) == [
        "2027-01-11 09:00 CET",
        "2027-01-18 09:00 CET",
    ]


def test_an_invalid_cron_expression_is_refused_with_its_line(config: Config) -> None:
    with pytest.raises(InputError) as caught:
        weekly(config, "0 25 * * MON")
    assert "'every'" in caught.value.format_message() and "not a valid cron expression" in caught.value.format_message()


def test_each_occurrence_is_its_own_delivery(tmp_path: Path, config: Config) -> None:
    post = post_with(
        at=None, every="0 9 * * MON", networks=["x"], text="Chaque lundi : les conseils prévention de la semaine."
    )
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'state.db'}")
    networks = FakeNetworkSet()
    for day in (1, 1, 8):  # twice on 1 February (once sent), then the next Monday
        now = local(2027, 2, day, 9, 5).astimezone(UTC)
        loaded = make_posts(config, post)
        Publisher(ledger, networks, lambda moment=now: moment).send(plan(candidates(loaded, config, now), config, now))
    assert [key for key, _, _ in networks["x"].published] == ["p1:x:20270201T0800Z", "p1:x:20270208T0800Z"]
    assert {item.state for item in ledger.all()} == {"sent"}


def test_a_missed_occurrence_does_not_stop_the_next_one(tmp_path: Path, config: Config) -> None:
    post = post_with(
        at=None, every="0 9 * * MON", networks=["x"], text="Chaque lundi : les conseils prévention de la semaine."
    )
    now = local(2027, 2, 8, 9, 1).astimezone(UTC)
    work = plan(candidates(make_posts(config, post), config, now), config, now)
    assert [d.occurrence.key for d in work.due] == ["20270208T0800Z"]
    # last week's occurrence is older than the look-back window: neither sent nor re-reported
    assert work.missed == []


@pytest.mark.parametrize(
    "every, weekdays",
    [
        ("0 9 * * 1", {"Monday"}),
        ("0 9 * * 3", {"Wednesday"}),
        ("0 9 * * 0", {"Sunday"}),
        ("0 9 * * 7", {"Sunday"}),
        ("0 9 * * 1-5", {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}),
        ("0 9 * * 6,0", {"Saturday", "Sunday"}),
        ("0 9 * * */3", {"Sunday", "Wednesday", "Saturday"}),
        ("0 9 * * MON", {"Monday"}),
        ("0 9 * * mon-fri", {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}),
    ],
)
def test_numeric_weekdays_mean_what_they_mean_in_crontab(config: Config, every: str, weekdays: set[str]) -> None:
    """Crontab counts from Sunday = 0; APScheduler 3 from Monday = 0: "* * * * 3" is a Wednesday."""
    post = weekly(config, every=every)
    start = datetime(2026, 12, 6, tzinfo=UTC)  # a Sunday
    found = {
        o.at.astimezone(ZoneInfo("Europe/Paris")).strftime("%A")
        for o in occurrences(post, start, start + timedelta(days=14), "Europe/Paris")
    }
    assert found == weekdays
