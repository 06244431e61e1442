"""Text helpers shared by the rules: accent-folding that keeps offsets, URLs, words, and the
bounds rules test before their patterns.

``fold`` maps each character to one character (lowercase, accents removed, typographic
apostrophes and non-breaking spaces made plain), so a match found in the folded text has
the same offsets in the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from urllib.parse import urlsplit

_SPECIAL = {
    "\u2019": "'",
    "\u2018": "'",
    "\u02bc": "'",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u2011": "-",
    "\u2010": "-",
    "œ": "o",
    "Œ": "o",
    "æ": "a",
    "Æ": "a",
    "ß": "s",
}


@cache
def _fold_table() -> dict[int, str]:
    table = {}
    for code in range(0x00C0, 0x0250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0].lower()
        if len(base) == 1 and base.isascii():
            table[code] = base
    for char, plain in _SPECIAL.items():
        table[ord(char)] = plain
    return table


@cache  # several rules fold the same texts: each is folded once per run (see forget_texts)
def fold(text: str) -> str:
    """Lowercase without accents, same length and offsets as ``text``.

    French text is nearly all Latin-1 once its typographic apostrophes and narrow
    no-break spaces are made plain: those stretches are folded as bytes, with one
    256-byte table, 18 times faster than looking up each character; the rest (emoji,
    dashes, other scripts) character by character.
    """
    if text.isascii():
        return text.lower()
    if "Σ" in text:  # lowercase sigma depends on the next letter: fold the whole text at once
        return _fold_slowly(text)
    for char, plain in _COMMON_OUTSIDE_LATIN1:
        if char in text:
            text = text.replace(char, plain)
    pieces = _OUTSIDE_LATIN1.split(text)
    table = _latin1_table()
    pieces[::2] = [piece.encode("latin-1").translate(table).decode("latin-1") for piece in pieces[::2]]
    pieces[1::2] = [_fold_slowly(piece) for piece in pieces[1::2]]
    return "".join(pieces)


_COMMON_OUTSIDE_LATIN1 = (("\u2019", "'"), ("\u202f", " "), ("œ", "o"), ("Œ", "o"))
_OUTSIDE_LATIN1 = re.compile("([^\x00-\xff]+)")


def _fold_slowly(text: str) -> str:
    folded = text.translate(_fold_table()).lower()
    # lower() can change length for a handful of characters (e.g. 'İ'); keep offsets exact.
    return folded if len(folded) == len(text) else "".join(c.lower()[0] for c in text.translate(_fold_table()))


@cache
def _latin1_table() -> bytes:
    """``_fold_slowly`` of each Latin-1 character, as a bytes.translate table."""
    return bytes(ord(_fold_slowly(chr(code))) for code in range(256))


@cache  # the same texts are lowered by many rules in a run
def lowered_text(text: str) -> str:
    return text.lower()


def forget_texts() -> None:
    """Drop the folded and lowered texts of a check run (the engine calls it at the end)."""
    fold.cache_clear()
    lowered_text.cache_clear()


def any_of(words: Iterable[str]) -> re.Pattern[str]:
    """A regex that finds any of ``words``, written as a trie (``plus (?:eff|s(?:ur|ûr))``).

    A gate for rules that look further only in texts holding one of their stems: one
    search costs about half a loop of ``in`` tests over 50 stems (measured on 10 000
    posts), where a flat ``a|b|c`` alternation, which tries every word at every
    position, costs more than the loop.
    """
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here: a longer word with this start adds nothing to a search

    def emit(node: dict[str, dict]) -> str:
        if "" in node:
            return ""
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return re.compile(emit(root))


# --- Bounds -------------------------------------------------------------------------
# Each says what every match of some patterns needs, so a text without it cannot hold
# one: tested first, in a microsecond or less, so the patterns (tens of microseconds) run
# only on the few texts that may match.

_DIGITS = b"0123456789"


def fewer_digits_than(text: str, needed: int) -> bool:
    """Whether ``text`` holds fewer than ``needed`` ASCII digits, so no number that needs
    that many (a NIR 13, a phone number 8, a record id 4) is in it (about 1 µs)."""
    data = text.encode()
    return len(data) - len(data.translate(None, _DIGITS)) < needed


def without_stems(stems: re.Pattern[str], text: str) -> bool:
    """Whether the lowercased text holds none of ``stems`` (an :func:`any_of` trie), so no
    pattern whose every match holds one of those stems can match it."""
    return stems.search(lowered_text(text)) is None


def without_links(text: str) -> bool:
    """Whether ``text`` has no dot, so no link: every link, with or without a scheme, has one."""
    return "." not in text


def without_tags_or_links(text: str) -> bool:
    """Whether ``text`` has no '#', '@', '://' or '.', so no hashtag, mention, e-mail
    address or link."""
    return not ("#" in text or "@" in text or "://" in text or "." in text)


def without_email_marks(text: str) -> bool:
    """Whether ``text`` has no '@' nor a disguise of it ("(at", "[at", "arobase"), so no
    e-mail address, written plainly or disguised."""
    return "@" not in text and "(at" not in text and "[at" not in text and "arobase" not in text


URL_PATTERN = re.compile(
    r"""(?xi)
    \b(?:https?://|www\.)[^\s<>"«»]+[^\s<>"«».,;:!?)\]'’]
    | \b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:fr|com|org|net|gouv\.fr|eu|info|io|ly|gl|be|ch|me|co|to|ws|gd|is|link|page)
      (?:/[^\s<>"«»]*[^\s<>"«».,;:!?)\]'’])?(?![\w@-])
    """
)


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """Links in a text, with or without a scheme: (start, end, url)."""
    found = []
    for match in URL_PATTERN.finditer(text):
        start = match.start()
        if start > 0 and text[start - 1] == "@":  # an e-mail address, not a link
            continue
        found.append((start, match.end(), match.group()))
    return found


def url_host(url: str) -> str:
    """The host of a link, lowercase, without 'www.'."""
    if "://" not in url:
        url = "https://" + url
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def host_matches(host: str, domains: list[str]) -> bool:
    """Whether host is one of the domains or a subdomain of one."""
    host = host.lower()
    return any(host == d or host.endswith("." + d) for d in (d.lower().lstrip(".") for d in domains))
