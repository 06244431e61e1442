"""duplicate-text: the same text as another post within 30 days (the rule's `window_days`).

Linear, not quadratic: each post's published texts are normalised and grouped by
(network, normalised text) in a dict; each group is sorted by time and only neighbours
are compared, so the cost is O(n log n) in the number of posts however many repeat.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from hospipost.rules._text import fold
from hospipost.rules.contracts import Problem, RuleOption, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext


def _days_problem(days: int) -> str | None:
    return None if 1 <= days <= 366 else f"must be a number of days from 1 to 366, got {days}"


WINDOW_DAYS = RuleOption(
    "window_days", int, 30, "days within which the same text again is a duplicate", check=_days_problem
)
_MARKS = re.compile(r"[\u0300-\u036f]+")  # combining accents
_TRAILING = " .!?…:;,"


def normalise(text: str) -> str:
    """Folded as the other rules fold (case, accents, apostrophes, see ``_text.fold``), also
    combining accents dropped, whitespace collapsed and trailing punctuation dropped."""
    return " ".join(_MARKS.sub("", fold(text)).split()).rstrip(_TRAILING)


# Bytes kept by the coarse key: ASCII letters that no accented letter folds to, and digits.
_COARSE_DROP = bytes(c for c in range(256) if chr(c) not in "bfmpqvx0123456789")


def _coarse_key(text: str) -> bytes:
    """A key equal for any two texts whose normalise() is equal, 5x cheaper to compute.

    Only b f m p q v x and digits are kept (from the lowercased text, ASCII only): no
    accented letter folds to one of them, and spaces and punctuation are dropped, so
    folding, spacing and trailing punctuation cannot change the key.
    """
    return text.lower().encode("ascii", "ignore").translate(None, _COARSE_DROP)


def _published_texts(post: Post) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(field, text, networks that receive it): the main text, then each variant."""
    networks = post.networks
    if not post.variants:
        yield "text", post.text, networks
        return
    main = tuple(n for n in networks if n not in post.variants)
    if main or not networks:
        yield "text", post.text, main
    for network, variant in post.variants.items():
        if not networks or network in networks:
            yield f"variants.{network}", variant, (network,)


@rule("duplicate-text", Severity.WARNING, scope="all", options=(WINDOW_DAYS,))
def duplicate_text(posts: list[Post], ctx: CheckContext) -> Iterator[tuple[Post, Problem]]:
    """The same text as another post to the same network within 30 days.

    Checks:
      Two posts that send the same text to the same network less than 30 days apart
      (by their `at:`, across all queues; config.yaml may set another window:
      `compliance.rules.duplicate-text: {window_days: 14}`). Texts are compared after
      folding case and accents, collapsing spaces and line breaks and ignoring trailing
      punctuation, so "Vaccination : prenez rendez-vous." and "vaccination : prenez
      rendez-vous" are the same. Each network's text is its variant when it has one. The
      later post is reported, naming the earlier one. Recurring posts (`every:`) repeat
      by design and are left out.

    Why:
      X refuses duplicate content (a 403 "duplicate content" at publication time), and
      on every network a repeated post reads as spam, lowers the reach of the account
      and is often a copy-paste mistake (the old text kept in a new post).

    Fix:
      Rewrite the later post (what is new since, another angle), or space the two more
      than the window apart (30 days unless config.yaml sets `window_days`).

    Examples:
      flagged:  two posts "Journée portes ouvertes de l'IFSI le 14 mars." on 2027-02-01 and 2027-02-20
      passes:   the same text on 2027-02-01 and 2027-04-15, or a weekly post with `every:`
    """
    window = timedelta(days=ctx.option("duplicate-text", WINDOW_DAYS))
    # First a cheap, coarser key (see _coarse_key), then the normalised text only where
    # two texts share it: most posts are alone in their coarse group and are never folded.
    coarse: dict[bytes, list[tuple[datetime, int, str, str, tuple[str, ...]]]] = defaultdict(list)
    for order, post in enumerate(posts):
        if post.every or post.at is None:
            continue
        for field_name, text, networks in _published_texts(post):
            coarse[_coarse_key(text)].append((post.at, order, field_name, text, networks))
    groups: dict[str, list[tuple[datetime, int, str, tuple[str, ...]]]] = defaultdict(list)
    keys: dict[str, str] = {}
    for candidates in coarse.values():
        if len(candidates) < 2:
            continue
        for at, order, field_name, text, networks in candidates:
            key = keys.get(text)
            if key is None:
                key = keys[text] = normalise(text)
            if key:
                groups[key].append((at, order, field_name, networks))
    found: dict[int, tuple[str, int, set[str]]] = {}  # later post -> (field, earlier post, networks)
    for entries in groups.values():
        if len(entries) < 2:
            continue
        entries.sort(key=lambda entry: (entry[0], entry[1]))
        last: dict[str, tuple[datetime, int]] = {}  # network -> latest entry sending this text there
        for at, order, field_name, networks in entries:
            for network in networks or ("",):
                previous = last.get(network)
                if previous and previous[1] != order and at - previous[0] < window:
                    _, earlier, shared = found.setdefault(order, (field_name, previous[1], set()))
                    if earlier == previous[1]:
                        shared.add(network)
                last[network] = (at, order)
    for order in sorted(found):
        field_name, earlier_order, shared_networks = found[order]
        later, earlier_post = posts[order], posts[earlier_order]
        assert later.at is not None and earlier_post.at is not None
        days = (later.at - earlier_post.at).days
        gap = "the same day" if days == 0 else f"{days} day{'s' if days > 1 else ''} earlier"
        where = (
            f" on {', '.join(sorted(shared_networks))}"
            if shared_networks and shared_networks != set(later.networks) and "" not in shared_networks
            else ""
        )
        when = ctx.local(earlier_post.at).strftime("%Y-%m-%d %H:%M")
        yield later, Problem(f"same text as post {earlier_post.id!r} ({when}, {gap}){where}", field_name)
