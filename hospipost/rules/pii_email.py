"""pii-email: an e-mail address outside the hospital's own domains."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hospipost.rules._text import host_matches, without_email_marks
from hospipost.rules.contracts import Problem, Severity, rule

# local@domain.tld, and the usual disguises: "jean.dupont (at) gmail.com", "[at]", " arobase ",
# "[dot]". A Mastodon handle (@user@instance) is not an address: the local part cannot follow "@".
EMAIL = re.compile(
    r"""(?<![\w.+%@-])
    (?P<local>[\w.+%-]*\w)
    (?:@|\s?[\[(]\s?(?:at|arobase)\s?[\])]\s?|\s(?:arobase)\s)
    (?P<domain>(?:[\w-]+(?:\.|\s?[\[(]\s?(?:dot|point)\s?[\])]\s?))+[a-z]{2,24})
    (?![\w-])""",
    re.IGNORECASE | re.VERBOSE,
)
_DOT = re.compile(r"\s?[\[(]\s?(?:dot|point)\s?[\])]\s?", re.IGNORECASE)


def find_emails(text: str, allowed_domains: list[str]) -> list[tuple[int, int]]:
    """Spans of the e-mail addresses in ``text`` whose domain is not allowed (subdomains are)."""
    if without_email_marks(text):
        return []
    spans = []
    for match in EMAIL.finditer(text):
        domain = _DOT.sub(".", match.group("domain")).lower()
        if allowed_domains and host_matches(domain, allowed_domains):
            continue
        spans.append(match.span())
    return spans


@rule(
    "pii-email",
    Severity.ERROR,
    sensitive=True,
)
def pii_email(post, ctx) -> Iterator[Problem]:
    """An e-mail address outside the hospital's own domains.

    Checks
      Every text of the post for an e-mail address ("prenom.nom@gmail.com"), also in
      its usual disguises ("jean.dupont (at) gmail.com", "[at]", "arobase",
      "[dot]"), whose domain is not in compliance.allowed_email_domains or one of
      their subdomains ("recrutement@chu-angers.fr" and "x@rh.chu-angers.fr" pass when
      chu-angers.fr is allowed). Fediverse handles (@chu_angers@mastodon.social) and
      mentions are not addresses and are not reported. An address of an allowed
      domain that still names a person (prenom.nom@chu-angers.fr) passes: prefer a
      shared mailbox (communication@, recrutement@).

    Why
      A private address identifies a patient, a relative or a staff member and
      invites health information outside secure channels (CSP L1110-4, GDPR art. 9);
      HIPAA Safe Harbor lists electronic mail addresses among the identifiers
      (45 CFR 164.514(b)(2)(F)).

    Fix
      Remove the address, or give a shared mailbox of the hospital whose domain is
      listed in compliance.allowed_email_domains.

    Examples
      flagged: "Questions ? Écrivez à marie.dubois@gmail.com."
      passes:  "Candidatures : recrutement@chu-angers.fr"
    """
    allowed = list(ctx.config.compliance.allowed_email_domains or ())
    for field, text in post.texts():
        for span in find_emails(text, allowed):
            yield Problem("The text contains an e-mail address outside the allowed domains.", field, span)
