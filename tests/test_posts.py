"""The queue loader: defaults, times, ids, and a clear file:line for every mistake."""

from __future__ import annotations

import time as clock
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hospipost.config import Config
from hospipost.errors import InputError
from hospipost.posts import QueueLoadError, load_queue, load_queues


def write(config: Config, name: str, text: str | bytes) -> Path:
    path = config.resolve(config.posts_dir) / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


QUEUE = """\
# Alertes sanitaires
defaults:
  networks: [x, facebook]
  kind: alert
posts:
  - id: canicule-2027-07-19
    at: 2027-07-19 09:00
    text: |
      Fortes chaleurs : appelez le 15 en cas de malaise.
    variants:
      x: Fortes chaleurs, appelez le 15.
    thread:
      - Buvez de l'eau régulièrement.
    media:
      - file: media/canicule.png
        alt: Infographie des bons gestes en cas de fortes chaleurs
    author: c.dupuis
    approved_by: a.renier
    valid_until: 2027-07-21 19:00
    ignore:
      - {rule: a11y-emoji, reason: visuel imposé}
  - id: epidemie-grippe
    at: 2027-01-10T08:30:00+01:00
    networks: [mastodon]
    kind: prevention
    text: La grippe circule.
"""


def test_a_queue_loads_with_defaults_times_and_lines(config: Config) -> None:
    queue = load_queue(write(config, "health-alerts.yaml", QUEUE), config)
    first, second = queue.posts
    assert queue.name == "health-alerts"
    assert first.kind == "alert" and first.networks == ("x", "facebook")
    assert first.at == datetime(2027, 7, 19, 7, 0, tzinfo=UTC)
    assert first.at_wall == datetime(2027, 7, 19, 9, 0)
    assert first.text == "Fortes chaleurs : appelez le 15 en cas de malaise."
    assert first.text_for("x") == "Fortes chaleurs, appelez le 15."
    assert first.text_for("facebook") == first.text
    assert first.media[0].path == config.resolve("media/canicule.png")
    assert first.valid_until == datetime(2027, 7, 21, 17, 0, tzinfo=UTC)
    assert first.ignores[0].rule == "a11y-emoji" and first.ignores[0].line == 21
    assert first.line == 6 and first.line_of("text") == 9 and first.line_of("variants.x") == 11
    assert first.line_of("thread[0]") == 13 and first.line_of("media[0].alt") == 16
    assert second.networks == ("mastodon",) and second.kind == "prevention"
    assert second.at == datetime(2027, 1, 10, 7, 30, tzinfo=UTC) and second.at_wall is None


def test_posts_default_to_the_enabled_networks(config: Config) -> None:
    path = write(config, "news.yaml", "posts:\n  - {id: a, at: 2027-01-04 10:00, text: Bonjour}\n")
    assert load_queue(path, config).posts[0].networks == ("x", "facebook", "mastodon", "bluesky", "linkedin")


def test_a_post_is_in_its_own_language_else_its_queues_else_configs(config: Config) -> None:
    path = write(
        config,
        "mixed.yaml",
        (
            "defaults:\n  language: en\nposts:\n"
            "  - {id: a, at: 2027-01-04 10:00, text: Hello}\n"
            "  - {id: b, at: 2027-01-04 11:00, text: Bonjour, language: fr-CA}\n"
        ),
    )
    assert [post.language for post in load_queue(path, config).posts] == ["en", "fr-CA"]
    plain = write(config, "plain.yaml", "posts:\n  - {id: c, at: 2027-01-04 10:00, text: Bonjour}\n")
    assert load_queue(plain, config).posts[0].language == config.language == "fr"


def test_an_empty_queue_file_has_no_posts(config: Config) -> None:
    assert load_queue(write(config, "empty.yaml", "# nothing yet\n"), config).posts == []
    assert load_queue(write(config, "empty2.yaml", "posts:\n"), config).posts == []


def test_ids_are_unique_across_queues(config: Config) -> None:
    write(config, "a.yaml", "posts:\n  - {id: same, at: 2027-01-04 10:00, text: Un}\n")
    write(
        config,
        "b.yaml",
        "posts:\n  - {id: other, at: 2027-01-04 10:00, text: Deux}\n  - {id: same, at: 2027-01-05 10:00, text: Trois}\n",
    )
    with pytest.raises(QueueLoadError) as caught:
        load_queues(config)
    [error] = caught.value.errors
    assert error.line == 3 and "duplicate post id 'same'" in error.format_message()
    assert "a.yaml:2" in error.format_message()


POST = "posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: Bonjour\n"


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("posts:\n  - id: a\n    text: [unclosed\n", 4, "invalid YAML"),
        ("posts:\n  - id: a\n    at: 2027-01-04 10:00\n  text: x\n", 4, "invalid YAML"),
        ("posts: a post\n", 1, "'posts:' must be a list"),
        ("posts:\n  - just a string\n", 2, "each post must be a mapping"),
        ("- id: a\n", 1, "must be a mapping with a 'posts:' list"),
        ("post:\n  - id: a\n", 1, "unknown key 'post'"),
        ("posts:\n  - id: a\n    at: 2027-01-04 10:00\n", 2, "a post needs 'text:'"),
        ("posts:\n  - at: 2027-01-04 10:00\n    text: x\n", 2, "a post needs 'id:'"),
        ("posts:\n  - id: Canicule 2027\n    at: 2027-01-04 10:00\n    text: x\n", 2, "lowercase letters"),
        ("posts:\n  - id: a\n    text: x\n", 2, "has no 'at:'"),
        ("posts:\n  - id: a\n    at: 2027-02-30 10:00\n    text: x\n", 3, "'at'"),
        ("posts:\n  - id: a\n    at: 2027-02-30\n    text: x\n", 3, "impossible date"),
        ("posts:\n  - id: a\n    at: demain\n    text: x\n", 3, "is not a date and time"),
        (
            "posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n    networks: [x, twitter]\n",
            5,
            "unknown network 'twitter'",
        ),
        ("posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n    kind: pub\n", 5, "'kind' must be one of"),
        (
            "posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n    language: EN\n",
            5,
            "'language' must be a language tag",
        ),
        (
            "defaults:\n  language: [en]\nposts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n",
            2,
            "'language' must be a language tag",
        ),
        ("posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n    thread: suite\n", 5, "'thread' must be a list"),
        (
            "posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n    media: photo.png\n",
            5,
            "'media' must be a list",
        ),
        (
            "posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n    media:\n      - alt: sans fichier\n",
            6,
            "needs 'file:'",
        ),
        (
            "posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n    media:\n      - {file: a.png, people: oui}\n",
            6,
            "'people' must be true or false",
        ),
        ("posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: {a: b}\n", 4, "'text' must be a string"),
        ("posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n    txet: y\n", 5, "unknown key 'txet'"),
        ("posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n    text: y\n", 5, "duplicate key 'text'"),
        (
            "posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n    ignore: [{rule: a11y-emoji}]\n",
            5,
            "needs a reason",
        ),
        ("posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n    every: weekly\n", 5, "cron expression"),
        (
            "posts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n    variants: {twitter: y}\n",
            5,
            "unknown network 'twitter'",
        ),
        ("defaults: [x]\nposts: []\n", 1, "'defaults:' must be a mapping"),
        ("defaults:\n  id: shared\nposts: []\n", 2, "unknown key 'id' in defaults"),
    ],
)
def test_queue_mistakes_name_file_and_line(config: Config, text: str, line: int, message: str) -> None:
    path = write(config, "q.yaml", text)
    with pytest.raises(InputError) as caught:
        load_queue(path, config)
    assert message in caught.value.format_message()
    assert caught.value.line == line, caught.value.format_message()


def test_non_utf8_bytes_name_the_line(config: Config) -> None:
    path = write(config, "latin1.yaml", POST.replace("Bonjour", "Fièvre").encode("latin-1"))
    with pytest.raises(InputError) as caught:
        load_queue(path, config)
    assert caught.value.line == 4 and "not valid UTF-8" in str(caught.value.format_message())


def test_an_alias_bomb_is_refused_quickly(config: Config) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 9)}]" for i in range(1, 10)]
    bomb = "defaults:\n  thread: *a9\n" if False else "\n".join(lines) + "\nposts: *a9\n"
    path = write(config, "bomb.yaml", bomb)
    started = clock.perf_counter()
    with pytest.raises(InputError):
        load_queue(path, config)
    assert clock.perf_counter() - started < 2


def test_a_bomb_hidden_in_a_post_field_is_refused(config: Config) -> None:
    lines = ["x0: &x0 [a, a, a, a, a, a, a, a, a, a]"]
    lines += [f"x{i}: &x{i} [{', '.join(['*x' + str(i - 1)] * 10)}]" for i in range(1, 9)]
    text = "\n".join(lines) + "\nposts:\n  - id: a\n    at: 2027-01-04 10:00\n    text: x\n    thread: *x8\n"
    path = write(config, "bomb2.yaml", text.replace("x0:", "defaults_unused:") if False else text)
    with pytest.raises(InputError) as caught:
        load_queue(path, config)
    assert "unknown key" in caught.value.format_message() or "thread" in caught.value.format_message()


def test_deep_nesting_is_an_error_not_a_crash(config: Config) -> None:
    path = write(config, "deep.yaml", "posts: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError) as caught:
        load_queue(path, config)
    assert "YAML" in caught.value.format_message() or "post" in caught.value.format_message()


def test_a_six_megabyte_text_is_refused_in_bounded_time(config: Config) -> None:
    path = write(config, "huge.yaml", POST.replace("Bonjour", "a" * 6_000_000))
    started = clock.perf_counter()
    with pytest.raises(InputError) as caught:
        load_queue(path, config)
    assert "'text' is 6000000 characters long" in caught.value.format_message()
    assert clock.perf_counter() - started < 5
