"""X's weighted length: twitter-text v3 ``parseTweet``, exact and fast.

X counts a post with twitter-text's configuration v3 (``config/v3.json``): the text is
NFC-normalised, each URL counts 23, each emoji (a whole sequence: ZWJ families, skin
tones, flags, keycaps) counts as one default-weight unit (2), every other code point
weighs 1 in the ranges U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F, U+2032–U+2037 and 2
elsewhere; a post is valid when it weighs 1 to 280 and has no U+FFFE, U+FEFF, U+FFFF.

Why this module and not a dependency. The maintained port, ``twitter-text-parser`` 3.0.0
(MIT), passes the conformance suite but imports ``pkg_resources``, which fresh Python
3.12+ venvs and setuptools >= 82 no longer have; it also costs ~1 ms per post (its emoji
regex is a 90 kB alternation tried at every position, its URL regex tries ~1 500 TLDs
one by one) and ~200 ms at import. It is vendored, unchanged but for the
``pkg_resources`` read, in :mod:`hospipost._vendor.twitter_text` (LICENSE kept) as the
reference and as the source of the URL regex pieces, the TLD lists and the emoji list
(Unicode emoji 12.0). This module applies the same rules faster:

- fast path: text that is NFC, has no CR, only weight-1 characters, no © or ®, and no
  dot followed by a letter (every URL has one before its TLD) weighs ``len(text)``;
- weights are counted with one regex (characters outside the light ranges count twice);
- URLs: the vendored regex, rebuilt with its TLD alternations compiled as ordered tries
  (same first-match semantics), run only on the whitespace-free chunks holding a dot
  before a letter (a URL never contains whitespace);
- emoji: set look-ups of the Unicode 12.0 sequences at the few positions where one can
  start (longest first, as the reference regex), instead of a 3 800-branch regex.

Tests check it against the official conformance suite and against the vendored
reference on generated texts. Emoji newer than Unicode 12.0 count as their code points
(e.g. a Unicode 15 ZWJ family counts more than 2): X's own counter uses a table of that
age, and over-counting is the safe side for a pre-publication check.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import NamedTuple

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
EMOJI_WEIGHT = 2

_LIGHT = "\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037"
_HEAVY = re.compile(f"[^{_LIGHT}]")
# Anything that makes a text weigh more than len(): a heavy character, CR (CRLF counts 1),
# © or ® (emoji of Unicode 12.0 inside the light range; keycaps need U+FE0F or U+20E3,
# which are heavy) or a dot followed by a letter (a URL candidate).
_NEEDS_WORK = re.compile(
    "[^\u0000-\u000c\u000e-\u00a8\u00aa-\u00ad\u00af-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]|\\.[^\\W\\d_]"
)
_URL_HINT = re.compile(r"\.[^\W\d_]")
_LINE_ENDING = re.compile(r"\r\n?")
_INVALID = re.compile("[\ufffe\ufeff\uffff]")


class Parsed(NamedTuple):
    weighted_length: int
    valid: bool


def weighted_length(text: str) -> int:
    """The weighted length X gives ``text`` (280 is the limit)."""
    return _units(_normalize(text))


def invalid_characters(text: str) -> list[tuple[int, str]]:
    """(offset, character) of each character X refuses in ``text`` (twitter-text's invalid set)."""
    if "\ufffe" not in text and "\ufeff" not in text and "\uffff" not in text:
        return []
    return [(match.start(), match.group()) for match in _INVALID.finditer(text)]


def is_valid(text: str) -> bool:
    """Whether X accepts ``text``: 1 to 280 weighted characters, no invalid character."""
    return parse(text).valid


def parse(text: str) -> Parsed:
    """Weighted length and validity, as twitter-text's ``parseTweet`` computes them."""
    normalized = _normalize(text)
    length = _units(normalized)
    valid = 0 < length <= MAX_WEIGHTED_LENGTH and not _INVALID.search(normalized)
    return Parsed(length, valid)


def _normalize(text: str) -> str:
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = _LINE_ENDING.sub("\n", text)
    return text


def _units(text: str) -> int:
    if not _NEEDS_WORK.search(text):
        return len(text)
    units = len(text) + len(_HEAVY.findall(text))
    entities = [(start, 0, length, URL_WEIGHT) for start, length in _url_spans(text)]
    entities.extend((start, 1, length, EMOJI_WEIGHT) for start, length in _emoji_spans(text))
    if not entities:
        return units
    # As parseTweet's loop: an entity replaces the weight of the characters it covers; one
    # starting inside an entity already counted is ignored; a URL wins over an emoji.
    entities.sort()
    position = 0
    for start, _, length, weight in entities:
        if start < position:
            continue
        covered = text[start : start + length]
        units += weight - len(covered) - len(_HEAVY.findall(covered))
        position = start + length
    return units


# --- emoji -------------------------------------------------------------------------


class _EmojiTable(NamedTuple):
    start: re.Pattern[str]  # where a non-keycap emoji may start (a superset), and U+FE0F, U+20E3
    keycap_bases: frozenset[str]
    singles: frozenset[str]
    sequences: frozenset[str]
    lengths: dict[str, tuple[int, ...]]  # first character -> sequence lengths, longest first


@cache
def _emoji_table() -> _EmojiTable:
    from hospipost._vendor.twitter_text.emoji_data import EMOJI

    singles: set[str] = set()
    sequences: set[str] = set()
    lengths: dict[str, set[int]] = {}
    for emoji in EMOJI:
        if len(emoji) == 1:
            singles.add(emoji)
        else:
            sequences.add(emoji)
            lengths.setdefault(emoji[0], set()).add(len(emoji))
    ascii_firsts = sorted(c for c in lengths if c.isascii())
    # The fast paths rely on this: every emoji holds a character _NEEDS_WORK finds, and
    # those that start with an ASCII character (keycaps) go on with U+FE0F or U+20E3.
    if any(c.isascii() for c in singles) or not all(
        _NEEDS_WORK.search(s) and (not s[0].isascii() or s[1] in "\ufe0f\u20e3") for s in singles | sequences
    ):
        raise ValueError("emoji table changed: revisit the fast paths")
    # Where an emoji may start: a non-ASCII character below the first high one that
    # starts an emoji (©, ®), or any character from there on: a class of a few ranges (one
    # of the 1 400 exact starts is ten times slower). Keycaps are found by their U+FE0F or
    # U+20E3, which this class holds, then tried from the base character before it.
    starts = sorted({*lengths, *singles} - set(ascii_firsts))
    high = next(c for c in starts if ord(c) > 0xFF)
    low = [c for c in starts if c < high]
    if high > "\ufe0f" or high > "\u20e3":
        raise ValueError("emoji table changed: revisit the keycap search")
    start = re.compile(f"[{_char_class(low)}{re.escape(high)}-\U0010ffff]")
    return _EmojiTable(
        start,
        frozenset(ascii_firsts),
        frozenset(singles),
        frozenset(sequences),
        {first: tuple(sorted(sizes, reverse=True)) for first, sizes in lengths.items()},
    )


def _char_class(chars: list[str]) -> str:
    """A regex character class body for sorted characters, as ranges."""
    parts: list[str] = []
    codes = [ord(c) for c in chars]
    index = 0
    while index < len(codes):
        end = index
        while end + 1 < len(codes) and codes[end + 1] == codes[end] + 1:
            end += 1
        low, high = re.escape(chr(codes[index])), re.escape(chr(codes[end]))
        parts.append(low if index == end else f"{low}-{high}")
        index = end + 1
    return "".join(parts)


def _emoji_spans(text: str) -> list[tuple[int, int]]:
    """(start, length) of each emoji, scanning left to right, longest sequence first.

    As the reference's ``emoji.finditer``: at each place, the longest listed sequence,
    else a listed single code point, else move on by one character.
    """
    table = _emoji_table()
    spans: list[tuple[int, int]] = []
    search = table.start.search
    position = 0
    match = search(text)
    while match:
        found = match.start()
        size = 0
        # A keycap starts one character before its U+FE0F/U+20E3 (never inside an emoji
        # found before: no emoji ends with an ASCII character).
        if found > position and text[found] in "\ufe0f\u20e3" and text[found - 1] in table.keycap_bases:
            size = _emoji_at(text, found - 1, table)
            if size:
                found -= 1
        if not size:
            size = _emoji_at(text, found, table)
        if size:
            spans.append((found, size))
            position = found + size
        else:
            position = found + 1
        match = search(text, position)
    return spans


def _emoji_at(text: str, start: int, table: _EmojiTable) -> int:
    """The length of the emoji at ``start`` (the longest listed sequence), or 0."""
    for length in table.lengths.get(text[start], ()):
        if text[start : start + length] in table.sequences:
            return length
    return 1 if text[start] in table.singles else 0


# --- URLs --------------------------------------------------------------------------


class _UrlTable(NamedTuple):
    extract: re.Pattern[str]
    tco: re.Pattern[str]
    space: re.Pattern[str]  # twitter-text's whitespace, which no URL contains
    ascii_domain: str  # compiled on first use: only URLs without a protocol need it


_TLD_HEAD, _TLD_TAIL = "(?:(?:", ")(?=[^0-9a-zA-Z@+-]|$))"
_MAX_URL_LENGTH = 4096
_PLAIN_HOST = re.compile(r"[-a-zA-Z0-9.]+")
_MAX_TCO_SLUG_LENGTH = 40


def tld_names(pattern: str) -> list[str]:
    """The TLDs of a vendored ``valid_gtld``/``valid_cctld`` pattern, in their order."""
    if not (pattern.startswith(_TLD_HEAD) and pattern.endswith(_TLD_TAIL)):
        raise ValueError(f"unexpected TLD pattern: {pattern[:40]}…")
    names = pattern[len(_TLD_HEAD) : -len(_TLD_TAIL)].split("|")
    if any(set(name) & set("\\.^$*+?{}[]|()") for name in names):
        raise ValueError("unexpected TLD pattern: a TLD holds a regex character")
    return names


def tld_trie(names: list[str]) -> str:
    """``(?:(?:a|b|…)(?=…))`` with the alternation as a trie that tries the names in order.

    In ``a|b|…`` the first alternative that matches wins. Names that start with different
    characters cannot both match at one place, and among names that share a prefix the
    trie keeps the order of their first appearance, so the match is the same, found in a
    few steps instead of up to 1 500.
    """
    root: dict[str, dict] = {}
    for name in names:
        node = root
        for char in name:
            node = node.setdefault(char, {})
        node.setdefault("", {})

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + emit(child) if char else "" for char, child in node.items()]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return _TLD_HEAD + emit(root) + _TLD_TAIL


def _supplant(template: str, parts: dict[str, str | re.Pattern[str]]) -> str:
    """The vendored ``regex_supplant`` without its ``re.compile``: only the pattern text."""
    return re.sub(
        r"#\{(\w+)\}",
        lambda m: (lambda part: part if isinstance(part, str) else part.pattern)(parts.get(m.group(1), "")),
        template,
    )


def assemble_url_patterns(gtld: str, cctld: str) -> tuple[str, str]:
    """The vendored ``extract_url`` and ``valid_ascii_domain`` patterns, with these TLD parts.

    Assembled from the vendored pieces with the vendored templates (a test checks that
    the vendored TLD patterns give back the vendored patterns, character for character).
    Both are compiled with ``re.IGNORECASE``, as in the vendored code.
    """
    from hospipost._vendor.twitter_text.regexp.latin_accent_chars import latin_accent_chars
    from hospipost._vendor.twitter_text.regexp.valid_domain_name import valid_domain_name
    from hospipost._vendor.twitter_text.regexp.valid_port_number import valid_port_number
    from hospipost._vendor.twitter_text.regexp.valid_punycode import valid_punycode
    from hospipost._vendor.twitter_text.regexp.valid_subdomain import valid_subdomain
    from hospipost._vendor.twitter_text.regexp.valid_url_path import valid_url_path
    from hospipost._vendor.twitter_text.regexp.valid_url_preceding_chars import valid_url_preceding_chars
    from hospipost._vendor.twitter_text.regexp.valid_url_query_chars import valid_url_query_chars
    from hospipost._vendor.twitter_text.regexp.valid_url_query_ending_chars import valid_url_query_ending_chars

    valid_domain = _supplant(
        r"(?:#{valid_subdomain}*#{valid_domain_name}(?:#{valid_gtld}|#{valid_cctld}|#{valid_punycode}))",
        {
            "valid_subdomain": valid_subdomain,
            "valid_domain_name": valid_domain_name,
            "valid_gtld": gtld,
            "valid_cctld": cctld,
            "valid_punycode": valid_punycode,
        },
    )
    extract_url = _supplant(
        "("  # $1 total match
        + "(#{valid_url_preceding_chars})"  # $2 Preceding character
        + "("  # $3 URL
        + "(https?:\\/\\/)?"  # $4 Protocol (optional)
        + "(#{valid_domain})"  # $5 Domain(s)
        + "(?::(#{valid_port_number}))?"  # $6 Port number (optional)
        + "(\\/#{valid_url_path}*)?"  # $7 URL Path
        + "(\\?#{valid_url_query_chars}*#{valid_url_query_ending_chars})?"  # $8 Query String
        + ")"
        + ")",
        {
            "valid_domain": valid_domain,
            "valid_url_query_chars": valid_url_query_chars,
            "valid_url_query_ending_chars": valid_url_query_ending_chars,
            "valid_port_number": valid_port_number,
            "valid_url_path": valid_url_path,
            "valid_url_preceding_chars": valid_url_preceding_chars,
        },
    )
    valid_ascii_domain = _supplant(
        r"(?:(?:[\-a-z0-9#{latin_accent_chars}]+)\.)+(?:#{valid_gtld}|#{valid_cctld}|#{valid_punycode})",
        {
            "latin_accent_chars": latin_accent_chars,
            "valid_gtld": gtld,
            "valid_cctld": cctld,
            "valid_punycode": valid_punycode,
        },
    )
    return extract_url, valid_ascii_domain


def _vendored_tld_patterns() -> tuple[str, str]:
    from hospipost._vendor.twitter_text.regexp.valid_cctld import valid_cctld
    from hospipost._vendor.twitter_text.regexp.valid_gtld import valid_gtld

    return valid_gtld.pattern, valid_cctld.pattern


@cache
def _url_table() -> _UrlTable:
    from hospipost._vendor.twitter_text.regexp.spaces_group import spaces_group
    from hospipost._vendor.twitter_text.regexp.valid_tco_url import valid_tco_url

    gtld, cctld = (tld_names(pattern) for pattern in _vendored_tld_patterns())
    # The fast path relies on this: every URL holds a dot followed by a letter.
    if not all(_URL_HINT.match("." + name) for name in [*gtld, *cctld, "xn--"]):
        raise ValueError("a TLD does not start with a letter: revisit the URL fast path")
    extract, ascii_domain = assemble_url_patterns(tld_trie(gtld), tld_trie(cctld))
    return _UrlTable(re.compile(extract, re.IGNORECASE), valid_tco_url, re.compile(f"[{spaces_group}]"), ascii_domain)


@cache
def _ascii_domain() -> re.Pattern[str]:
    return re.compile(_url_table().ascii_domain, re.IGNORECASE)


def extract_urls(text: str) -> list[tuple[int, str]]:
    """URLs as twitter-text finds them (with or without protocol): (start, url)."""
    if "." not in text:
        return []
    table = _url_table()
    urls: list[tuple[int, str]] = []
    # A URL never contains whitespace: look only at the whitespace-free chunks holding a
    # dot before a letter, with the character before each (the URL's "preceding character").
    space = table.space
    hint = _URL_HINT.search(text)
    while hint:
        dot = hint.start()
        start = max(text.rfind(" ", 0, dot), text.rfind("\n", 0, dot)) + 1
        for other in space.finditer(text, start, dot):  # NBSP, tab, …
            start = other.end()
        after = space.search(text, dot)
        end = after.start() if after else len(text)
        offset = max(start - 1, 0)
        urls.extend((offset + at, url) for at, url in _chunk_urls(text[offset:end]))
        hint = _URL_HINT.search(text, end)
    return urls


@lru_cache(maxsize=8192)
def _chunk_urls(chunk: str) -> tuple[tuple[int, str], ...]:
    # Posts repeat their links (the hospital's pages): each chunk is matched once.
    urls: list[tuple[int, str]] = []
    _extract_from(chunk, 0, _url_table(), urls)
    return tuple(urls)


def _url_spans(text: str) -> list[tuple[int, int]]:
    if not _URL_HINT.search(text):
        return []
    return [(start, len(url)) for start, url in extract_urls(text)]


def _extract_from(text: str, offset: int, table: _UrlTable, urls: list[tuple[int, str]]) -> None:
    # The vendored extract_urls_with_indices, step by step, on one chunk.
    for url_match in table.extract.finditer(text):
        _, before, url, protocol, domain, _, path, _ = url_match.groups()
        start_position = url_match.end() - len(url)
        if not _is_valid_url(url, protocol or "https://", domain):
            continue
        if protocol is None:
            if before in ("-", "_", ".", "/"):
                continue
            # Without a protocol, only the ASCII domains count; the last one keeps the path.
            if _PLAIN_HOST.fullmatch(domain):
                # Letters, digits, '-' and '.' only: the ASCII-domain regex would match it
                # whole (same TLD lists as the URL regex, which just matched this domain).
                found = [(offset + start_position, domain)]
            else:
                found = [(offset + start_position + m.start(), m.group()) for m in _ascii_domain().finditer(domain)]
            if not found:
                continue
            if path:
                found[-1] = (found[-1][0], url.replace(domain, found[-1][1]))
            urls.extend(found)
        else:
            tco = table.tco.search(url)  # t.co links stop at their slug
            if tco:
                slug = tco.group(1)
                if slug and len(slug) > _MAX_TCO_SLUG_LENGTH:
                    continue
                url = tco.group(0)
            urls.append((offset + start_position, url))


def _is_valid_url(url: str, protocol: str, domain: str) -> bool:
    if domain.isascii():
        # What the 'idna' codec does with an ASCII name: every label 1 to 63 characters.
        labels = domain.split(".")
        if any(not 0 < len(label) < 64 for label in labels[:-1]) or len(labels[-1]) >= 64:
            return False
        return len(protocol) + len(url) <= _MAX_URL_LENGTH
    try:
        puny = domain.encode("idna").decode("ascii")
    except Exception:
        return False
    if not puny:
        return False
    return len(protocol) + len(url) + len(puny) - len(domain) <= _MAX_URL_LENGTH
