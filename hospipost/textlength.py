"""How each network measures a text.

- X: twitter-text v3 weighted length (see :mod:`hospipost.twittertext`).
- Mastodon: characters, every URL counting 23, remote mentions by their local part.
- Bluesky: grapheme clusters (what a reader sees as one character).
- Facebook and LinkedIn: characters.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import regex

URL_LENGTH = 23

# Text made only of these characters has one grapheme per code point: Latin (with
# precomposed accents), Greek, Cyrillic, general punctuation (no joiner), currency and
# common symbols. French text nearly always qualifies, so it skips the \X scan (and the
# `regex` module is imported only for the texts that need it).
_ONE_GRAPHEME_EACH = re.compile(
    r"[\x00-\x0c\x0e-\u02ff\u0370-\u0482\u048a-\u0590\u1e00-\u1fff\u2000-\u200c\u200e-\u20cf\u2100-\u23ff]*"
)


class _Patterns(NamedTuple):
    grapheme: regex.Pattern[str]
    mastodon_url: regex.Pattern[str]
    mastodon_remote_mention: regex.Pattern[str]


@cache
def _patterns() -> _Patterns:
    import regex

    return _Patterns(
        regex.compile(r"\X"),
        # Mastodon's own URL and mention patterns are looser than twitter-text's: any http(s) URL.
        regex.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]']", regex.IGNORECASE),
        regex.compile(r"(?<![\w/])@(\w+)@[\w.-]+\w", regex.UNICODE),
    )


def grapheme_length(text: str) -> int:
    if "\r" not in text and _ONE_GRAPHEME_EACH.fullmatch(text):
        return len(text)
    return len(_patterns().grapheme.findall(text))


def char_length(text: str) -> int:
    return len(text)


def mastodon_length(text: str, url_weight: int = URL_LENGTH) -> int:
    """Mastodon's count; ``url_weight`` is the instance's characters_reserved_per_url."""
    patterns = _patterns()
    text = patterns.mastodon_url.sub("x" * url_weight, text)
    text = patterns.mastodon_remote_mention.sub(lambda m: "@" + m[1], text)
    return grapheme_length(text)
