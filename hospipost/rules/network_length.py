"""network-length: every text fits the length limit of each network it goes to."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from hospipost.networks.base import Limits, Network
from hospipost.rules.contracts import CheckContext, Problem, Severity, rule
from hospipost.textlength import URL_LENGTH, char_length, grapheme_length, mastodon_length
from hospipost.twittertext import invalid_characters, weighted_length

if TYPE_CHECKING:
    from hospipost.posts import Post

# A cheap upper bound of some counts, to skip counting texts that are clearly short
# enough: graphemes never outnumber code points; Mastodon replaces each http(s) URL
# (which holds "://" and is at least 9 characters long) by 23 characters.
# X: a text made only of characters that weigh 1, are no emoji (© and ® are) and that NFC
# never lengthens (Latin up to U+02FF, the weight-1 punctuation ranges) weighs at most its
# length, plus 20 per dot followed by a letter: a link counts 23, holds k >= 1 of those
# (one before its top-level domain) and is at least 2k + 1 characters long.
_X_WEIGHT_ONE = re.compile("[\x00-\xa8\xaa-\xad\xaf-\u02ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]*")
_DOT_LETTER = re.compile(r"\.[^\W\d_]")


def _x_upper_bound(text: str) -> int:
    if _X_WEIGHT_ONE.fullmatch(text):
        return len(text) + (URL_LENGTH - 3) * len(_DOT_LETTER.findall(text))
    return 2 * len(text) + URL_LENGTH * text.count(".")


_UPPER_BOUNDS: dict[Callable[[str], int], Callable[[str], int]] = {
    char_length: len,
    grapheme_length: len,
    mastodon_length: lambda text: len(text) + URL_LENGTH * text.count("://"),
    weighted_length: _x_upper_bound,
}

# Characters a network refuses whatever the length (twitter-text: U+FFFE, U+FEFF, U+FFFF).
# Tested on every part, never behind the upper-bound shortcut.
_REFUSED_CHARACTERS: dict[Callable[[str], int], Callable[[str], list[tuple[int, str]]]] = {
    weighted_length: invalid_characters,
}


@rule("network-length", Severity.ERROR)
def network_length(post: Post, ctx: CheckContext) -> list[Problem]:
    """Each text fits the length limit of every network the post goes to, counted the network's way.

    Checks:
      Each part each network receives (the text, or the network's variant, then each
      thread item; joined into one text where the network has no threads) is measured
      as that network measures it, against the limit declared by its adapter:
      X 280 weighted characters (twitter-text v3: URLs count 23, CJK characters and
      emoji count 2, text NFC-normalised), Mastodon 500 characters (URLs count 23),
      Bluesky 300 graphemes and 3000 UTF-8 bytes, LinkedIn 3000 characters, Facebook
      63 206 characters, Instagram 2 200 characters with at most 30 hashtags and 20
      @mentions, Threads 500 characters. A part holding a character the network refuses whatever the
      length (X: U+FFFE, U+FEFF, U+FFFF, twitter-text's invalid characters) is flagged too.

    Why:
      A network refuses a text over its limit at publication time, when nobody is
      watching: the post then misses its slot on that network. Sources: twitter-text
      config v3 (twitter/twitter-text config/v3.json, docs.x.com "Counting characters");
      Mastodon StatusLengthValidator; Bluesky lexicon app.bsky.feed.post (maxGraphemes
      300, maxLength 3000); LinkedIn and Facebook published limits; Instagram content
      publishing reference (caption limits); Threads posts reference.

    Fix:
      Shorten the text, or write a shorter variant for that network (variants: x: …),
      or split a long text into a thread (x, mastodon, bluesky).

    Examples:
      A 300-character French text with a link goes to X and Bluesky: X counts the link
      as 23 and may accept it, Bluesky counts every grapheme and refuses it; give
      Bluesky a variant. A 3 200-character text goes to LinkedIn: cut it below 3 000.
    """
    problems: list[Problem] = []
    renderings: dict[tuple[str, bool], list[str]] = {}
    for network, limits, bound, max_bytes, base_render in _plans(post, ctx):
        if base_render:
            # The base rendering depends only on the text used and on thread support (for a
            # post with a thread): networks that share both receive the same parts, rendered once.
            key = (post.variants.get(network.name, post.text), limits.supports_threads or not post.thread)
            parts = renderings.get(key)
            if parts is None:
                parts = renderings[key] = network.render(post).parts
        else:
            parts = network.render(post).parts
        refused = _REFUSED_CHARACTERS.get(limits.count)
        for index, part in enumerate(parts):
            if refused is not None:
                problems.extend(_refused(post, network, index, len(parts), refused(part)))
            if bound is None or bound(part) > limits.max_length:
                length = limits.count(part)
                if length > limits.max_length:
                    problems.append(
                        Problem(
                            f"{network.label}: {length} / {limits.max_length} {limits.length_unit}"
                            f"{_where(post, network, index, len(parts))}, {length - limits.max_length} too many.",
                            field=_field(post, network, index),
                            network=network.name,
                        )
                    )
            problems.extend(_over_caps(post, network, limits, index, len(parts), part))
            if max_bytes and len(part) * 4 > max_bytes:
                size = len(part.encode("utf-8"))
                if size > max_bytes:
                    problems.append(
                        Problem(
                            f"{network.label}: {size} / {max_bytes} UTF-8 bytes"
                            f"{_where(post, network, index, len(parts))}, {size - max_bytes} too many.",
                            field=_field(post, network, index),
                            network=network.name,
                        )
                    )
    return problems


_HASHTAG = re.compile(r"(?<![\w&/])#[^\W_][\w]*")
_MENTION = re.compile(r"(?<![\w/])@[\w](?:[\w.]*\w)?")


def _over_caps(post: Post, network: type[Network], limits: Limits, index: int, parts: int, part: str) -> list[Problem]:
    """The hashtags and @mentions of a part beyond what the network allows (Instagram: 30, 20)."""
    problems = []
    caps = ((limits.max_hashtags, _HASHTAG, "hashtags", "#"), (limits.max_mentions, _MENTION, "@mentions", "@"))
    for cap, pattern, what, mark in caps:
        if cap is None or mark not in part:  # the usual case, without a regex
            continue
        count = len(pattern.findall(part))
        if count > cap:
            problems.append(
                Problem(
                    f"{network.label}: {count} {what}{_where(post, network, index, parts)}, at most {cap}:"
                    f" remove {count - cap}.",
                    field=_field(post, network, index),
                    network=network.name,
                )
            )
    return problems


def _refused(post: Post, network: type[Network], index: int, parts: int, found: list[tuple[int, str]]) -> list[Problem]:
    """One problem for the characters of a part that the network refuses (the first one named)."""
    if not found:
        return []
    offset, character = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return [
        Problem(
            f"{network.label}{_where(post, network, index, parts)}: U+{ord(character):04X} at character {offset + 1}{more}"
            f" is an invisible character that {network.label} refuses; remove it.",
            field=_field(post, network, index),
            network=network.name,
        )
    ]


_Plan = tuple[type[Network], Limits, Callable[[str], int] | None, int | None, bool]
_BASE_RENDER = Network.render.__func__  # type: ignore[attr-defined]


def _plans(post: Post, ctx: CheckContext) -> list[_Plan]:
    """For each network of the post: its limits, a cheap upper bound of its count, its byte
    limit, and whether it renders as the base class does; once per check run."""
    cache: dict[tuple[str, ...], list[_Plan]] = ctx.cache.setdefault("network_length_plans", {})
    plans = cache.get(post.networks)
    if plans is None:
        plans = cache[post.networks] = [
            (
                network,
                ctx.limits(network),
                _UPPER_BOUNDS.get(ctx.limits(network).count),
                ctx.limits(network).max_bytes,
                network.render.__func__ is _BASE_RENDER,  # type: ignore[attr-defined]
            )
            for network in ctx.networks(post)
        ]
    return plans


def _field(post: Post, network: type[Network], index: int) -> str:
    """The post field that holds the text of this part (a variant when there is one)."""
    if index > 0:
        return f"thread[{index - 1}]"
    return f"variants.{network.name}" if network.name in post.variants else "text"


def _where(post: Post, network: type[Network], index: int, parts: int) -> str:
    where = []
    if index == 0 and network.name in post.variants:
        where.append(f"{network.label} variant")
    if parts > 1:
        where.append(f"thread part {index + 1} of {parts}")
    elif post.thread:
        where.append("text and thread joined, as it has no threads")
    return f" ({', '.join(where)})" if where else ""
