"""link-shortener: links that hide their destination behind a URL shortener.

The scan is anchored on the dot before a shortener's top-level domain (".ly", ".co",
".gl" …): a one-character literal prefix the regex engine scans for quickly, so a clean
post costs a couple of microseconds. For each such dot the host is read backwards and
looked up in the deny-list (domains and their subdomains).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from hospipost.rules._text import fold, lowered_text, without_links
from hospipost.rules.contracts import Problem, RuleOption, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext

# Public shorteners (and the scheduling tools' own: ow.ly Hootsuite, buff.ly Buffer,
# dlvr.it, trib.al, sprou.tt …). Brand links of the destination itself (youtu.be,
# forms.gle) are not here: they show where they lead.
SHORTENERS = (
    "bit.ly",
    "bitly.com",
    "j.mp",
    "tinyurl.com",
    "tiny.cc",
    "tiny.one",
    "ow.ly",
    "t.co",
    "goo.gl",
    "buff.ly",
    "is.gd",
    "v.gd",
    "cutt.ly",
    "rebrand.ly",
    "shorturl.at",
    "s.id",
    "lnkd.in",
    "dlvr.it",
    "rb.gy",
    "t.ly",
    "tr.im",
    "x.co",
    "po.st",
    "ift.tt",
    "bit.do",
    "shorte.st",
    "adf.ly",
    "ouo.io",
    "qrco.de",
    "fb.me",
    "frama.link",
    "lstu.fr",
    "urlz.fr",
    "trib.al",
    "hubs.ly",
    "hubs.la",
    "sprou.tt",
    "bl.ink",
    "surl.li",
    "snip.ly",
    "cli.gs",
    "shr.lc",
    "kutt.it",
    "shor.by",
    "clck.ru",
    "u.to",
    "tinu.be",
    "rotf.lol",
    "soo.gd",
    "zpr.io",
)
_HOST_CHARS = re.compile(r"[a-z0-9.-]*")  # matched on the reversed text before the dot
_PATH = re.compile(r"/[^\s<>\"«»]*")
_TRAILING = ".,;:!?)]}'’\""
_SCHEME_BEFORE = re.compile(r"(?:https?:)?//$")


_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}")


def _domains_problem(domains: list[str]) -> str | None:
    wrong = [domain for domain in domains if not _DOMAIN.fullmatch(domain.lower())]
    return f"must be domains such as lnk.example.org, got {wrong[0]!r}" if wrong else None


MORE_SHORTENERS = RuleOption(
    "more_shorteners", list, (), "more shortener domains to flag, besides SHORTENERS", check=_domains_problem
)


@lru_cache(maxsize=8)
def _deny_list(more: tuple[str, ...]) -> tuple[re.Pattern[str], frozenset[str]]:
    """The dot before a shortener's top-level domain, and the shortener domains."""
    domains = frozenset(SHORTENERS + tuple(domain.lower() for domain in more))
    tlds = sorted({domain.rsplit(".", 1)[1] for domain in domains}, key=len, reverse=True)
    return re.compile(rf"\.(?:{'|'.join(tlds)})(?![\w-]|\.\w)"), domains


def _is_shortener(host: str, domains: frozenset[str]) -> bool:
    """The host is a shortener or a subdomain of one (same as _text.host_matches, by set lookups)."""
    labels = host.split(".")
    return any(".".join(labels[i:]) in domains for i in range(len(labels) - 1))


def shortened_links(text: str, more: tuple[str, ...] = ()) -> Iterator[tuple[int, int, str]]:
    """Shortened links in a text, on SHORTENERS or ``more`` domains: (start, end, host)."""
    tld_dot, domains = _deny_list(more)
    lowered = lowered_text(text)
    if len(lowered) != len(text):  # offsets must match the original text ("İ" lowercases to 2 characters)
        lowered = fold(text)
    for dot in tld_dot.finditer(lowered):
        label_end = dot.start()
        reversed_host = _HOST_CHARS.match(lowered[max(0, label_end - 80) : label_end][::-1])
        assert reversed_host is not None, "_HOST_CHARS is a starred class: it matches (maybe empty) everywhere"
        start = label_end - len(reversed_host.group())
        while start < label_end and lowered[start] in ".-":
            start += 1
        if start == label_end:
            continue
        end = dot.end()
        before = lowered[start - 1] if start else ""
        if before == "@" or before.isalnum() or (before == "/" and not lowered.endswith("://", 0, start)):
            continue  # an e-mail address, or a path segment of another link
        host = lowered[start:end]
        host = host[4:] if host.startswith("www.") else host
        if not _is_shortener(host, domains):
            continue
        scheme = _SCHEME_BEFORE.search(lowered, max(0, start - 8), start)
        if scheme:
            start = scheme.start()
        path = _PATH.match(lowered, end)
        if path:
            end = path.end()
            while end > dot.end() and text[end - 1] in _TRAILING:
                end -= 1
        yield start, end, host


@rule("link-shortener", Severity.WARNING, options=(MORE_SHORTENERS,))
def link_shortener(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A shortened link (bit.ly, tinyurl.com, ow.ly …) that hides where it leads.

    Checks:
      Every published text for links on a URL shortener, with or without https:// and
      www., subdomains included: bit.ly, tinyurl.com, ow.ly, t.co, goo.gl, buff.ly,
      is.gd, cutt.ly, rebrand.ly, shorturl.at, s.id, lnkd.in, dlvr.it, tiny.cc, rb.gy,
      t.ly, frama.link, qrco.de, fb.me, trib.al, sprou.tt and others (the list is
      SHORTENERS in hospipost/rules/link_shortener.py; config.yaml may add others:
      `compliance.rules.link-shortener: {more_shorteners: [lnk.example.org]}`). An
      e-mail address or a path segment of another link is not a link.

    Why:
      A hospital's reader must see that a link leads to an official or known site before
      clicking: a shortened link hides it, is a common phishing vector, and breaks when
      the shortening service closes or changes its terms (Google wound down goo.gl).
      Mastodon counts every link as 23 characters and X wraps all links in t.co anyway,
      so shortening saves nothing there.

    Fix:
      Paste the full address of the destination, e.g.
      https://www.santepubliquefrance.fr/… instead of https://bit.ly/3xYz.

    Examples:
      flagged:  "Inscriptions : https://bit.ly/3xYzAbc"
      passes:   "Inscriptions : https://www.chu-angers.fr/hospilike"
    """
    more = tuple(ctx.option("link-shortener", MORE_SHORTENERS))
    for field_name, text in post.texts():
        if without_links(text):
            continue
        for start, end, host in shortened_links(text, more):
            yield Problem(
                f"shortened link on {host} hides its destination: «{text[start:end]}»", field_name, (start, end)
            )
