"""pii-nir: a French social security number (NIR, the INS matricule) in a post."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hospipost.rules._text import fewer_digits_than
from hospipost.rules.contracts import Problem, Severity, rule

# One optional separator between the groups: space (also non-breaking / narrow), dot or hyphen.
_SEP = r"[ .\-\u00a0\u202f\u2009]?"

# sex · year · month · place (2 + 3 characters, Corsica 2A/2B, overseas 97x written 3 + 2) · serial · key.
# Fast: the pattern opens on a digit class and fails within a few characters on ordinary text.
NIR_CANDIDATE = re.compile(
    rf"""(?<![0-9A-Za-z])
    [1-478]{_SEP}[0-9]{{2}}{_SEP}[0-9]{{2}}{_SEP}
    (?:[0-9]{{2}}|2[ABab]){_SEP}[0-9]{_SEP}[0-9]{{2}}{_SEP}
    [0-9]{{3}}{_SEP}[0-9]{{2}}
    (?![0-9A-Za-z])""",
    re.VERBOSE,
)


def find_nirs(text: str) -> list[tuple[int, int]]:
    """Spans of the NIRs with a valid key in ``text`` (also used by pii-phone to skip them)."""
    if fewer_digits_than(text, 13):
        return []
    spans = []
    for match in NIR_CANDIDATE.finditer(text):
        from stdnum.fr import nir  # lazy: only when a 15-character candidate exists

        compact = re.sub(r"[^0-9ABab]", "", match.group()).upper()
        if nir.is_valid(compact):
            spans.append(match.span())
    return spans


@rule(
    "pii-nir",
    Severity.ERROR,
    ignorable=False,
    sensitive=True,
)
def pii_nir(post, ctx) -> Iterator[Problem]:
    """A French social security number (NIR / INS matricule) must never be published.

    Checks
      Every text of the post (text, variants, thread, alt texts) for a 15-character
      NIR: sex, year, month, place of birth (Corsica 2A/2B included), serial and the
      2-digit key, written spaced ("2 95 10 99 126 111 93"), dotted or unspaced. Only
      numbers whose key is valid (97 - the first 13 digits mod 97, python-stdnum
      stdnum.fr.nir) are reported, so an ordinary long number is not mistaken for one.
      A NIR written without its key, or with a wrong key, is not detected.

    Why
      The NIR is the INS matricule, the national health identifier of a patient (INS,
      mandatory since 2021); GDPR art. 9 and Inserm class it with health data under
      reinforced protection. Publishing it breaks medical secrecy (CSP L1110-4,
      Code pénal 226-13: one year and 15 000 EUR). HIPAA Safe Harbor lists social
      security numbers among the 18 identifiers (45 CFR 164.514(b)(2)(G)).
      This rule cannot be ignored.

    Fix
      Delete the number. No post ever needs a patient's NIR.

    Examples
      flagged: "Dossier de Mme X, NIR 2 95 10 99 126 111 93, à transmettre."
      passes:  "Pensez à mettre à jour votre carte Vitale avant votre venue."
    """
    for field, text in post.texts():
        for start, end in find_nirs(text):
            yield Problem("The text contains a French social security number (NIR).", field, (start, end))
