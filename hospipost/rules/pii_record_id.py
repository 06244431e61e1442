"""pii-record-id: a patient record identifier (IPP, NDA, n° de dossier, n° de séjour…)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hospipost.rules._text import fewer_digits_than
from hospipost.rules.contracts import Problem, Severity, rule

_S = r"[\s\u00a0\u202f]*"  # spaces, non-breaking ones included
# "n°", "nº", "n o", "no", "no.", "num.", "numéro", "#"
_NUMW = r"(?:n[\s\u00a0\u202f]?[°º]|no\.?(?![a-z])|num(?:[ée]ro|\.))"
_NUM = rf"(?:{_NUMW}|\#)"
# The identifier: up to 3 capitals, then digits possibly grouped by single separators,
# at least 4 digits in all (checked in code).
_ID = r"(?P<id>(?-i:[A-Z]{0,3})[\-\s]?[0-9](?:[0-9]|[\-/.\s\u00a0\u202f](?=[0-9]))*)"
_LEAD = rf"{_S}(?:[:=#]|{_NUM}|-)?{_S}(?:[:=]{_S})?"

# Words meaning "a patient's record / stay / identity"; they need a "n°"/":" to become an id.
_WORDS = (
    r"(?:dossier(?:{s}(?:m[ée]dical|patient|administratif|d['’]admission|d['’]hospitalisation|de{s}soins))?"
    r"|s[ée]jour|venue|admission|hospitalisation|patiente?|r[ée]sidente?"
    r"|identifiant(?:{s}(?:permanent{s})?(?:du{s})?patient)?)"
).format(s=r"[\s\u00a0\u202f]+")

# IPP (identifiant permanent du patient), NDA (numéro de dossier administratif), NIP, MRN
# (medical record number): in capitals only ("IPP 20 mg" is also a drug class; see the count).
_ACRONYM = re.compile(rf"(?-i:\b(?:IPP|NDA|NIP|MRN)\b){_LEAD}{_ID}", re.IGNORECASE | re.VERBOSE)
_FRENCH = tuple(
    re.compile(pattern, re.IGNORECASE | re.VERBOSE)
    for pattern in (
        # "n° de dossier 2024-55812", "numéro de séjour : 7700123", "n° patient 88412"
        rf"\b{_NUMW}{_S}(?:(?:de|du|d['’]){_S})?(?:l['’]{_S})?{_WORDS}{_LEAD}{_ID}",
        # "dossier n° 2024-55812", "séjour : 7700123", "patient \#88412"
        rf"\b{_WORDS}{_S}(?:[:\#=]|{_NUM}){_S}(?:[:=]{_S})?{_ID}",
        # "identifiant patient 4412098", "identifiant permanent du patient : 4412098"
        rf"\bidentifiant{_S}(?:permanent{_S})?(?:du{_S}|de{_S}la{_S})?patiente?{_LEAD}{_ID}",
    )
)
# English: "medical record number 123456", "patient ID 4411", "hospital number", "NHS number"
_ENGLISH_PATTERN = re.compile(
    rf"""\b(?:(?:medical{_S})?record|patient|hospital|NHS|admission|chart){_S}
    (?:number|no\.?|ID|\#|identifier){_S}[:\#]?{_S}{_ID}""",
    re.IGNORECASE | re.VERBOSE,
)

_PATTERNS = (_ACRONYM, *_FRENCH, _ENGLISH_PATTERN)
# A run of at least 4 digits (maybe grouped): every identifier holds one.
_RUN = re.compile(r"[0-9](?:[0-9]|[\-/. \u00a0\u202f](?=[0-9])){3,}")
# How the words just before an identifier end: cheap test before the full patterns run.
_MARKS = ("n°", "n °", "nº", "#", "no", "no.", "num.", "numéro", "numero")
_LABELS = (
    "ipp",
    "nda",
    "nip",
    "mrn",
    "dossier",
    "séjour",
    "sejour",
    "patient",
    "patiente",
    "patient·e",
    "résident",
    "resident",
    "résidente",
    "residente",
    "venue",
    "admission",
    "hospitalisation",
    "identifiant",
    "médical",
    "medical",
    "administratif",
    "soins",
    "number",
    "id",
    "identifier",
)
_MARK_IN = re.compile(r"n\s?[°º]|\bno\b|num|#", re.IGNORECASE)
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:[ .\u00a0\u202f][0-9]{3})+")
_STRIP = " :#=-\u00a0\u202f\t\n"


def find_record_ids(text: str) -> list[tuple[int, int]]:
    """Spans of patient record identifiers in ``text``."""
    if fewer_digits_than(text, 4):
        return []
    spans: list[tuple[int, int]] = []
    for run in _RUN.finditer(text):
        start = run.start()
        if fewer_digits_than(run.group(), 4):
            continue
        if not _introduced(text[max(0, start - 40) : start]):
            continue
        window = max(0, start - 60)
        for pattern in _PATTERNS:
            for match in pattern.finditer(text, window, run.end()):
                if match.end() >= run.end() and not fewer_digits_than(match.group("id"), 4) and not _a_count(match):
                    spans.append(match.span())
    return _merged(spans)


def _a_count(match: re.Match[str]) -> bool:
    """ "Admission : 2 400 étudiants": a quantity after a colon, not an identifier."""
    if match.re is _ACRONYM or _MARK_IN.search(match.group()):
        return False
    return bool(_THOUSANDS.fullmatch(match.group("id")))


def _introduced(before: str) -> bool:
    """Whether the text before a number ends like an identifier's label ("IPP :", "dossier n°")."""
    before = before.rstrip(_STRIP).lower()
    for text in (before, before.rstrip("abcdefghijklmnopqrstuvwxyz").rstrip(_STRIP) if before[-1:].isalpha() else ""):
        if text.endswith(_MARKS):  # "n°", "#", "numéro": a label word must stand before it
            text = text[: -len(next(m for m in _MARKS if text.endswith(m)))].rstrip(_STRIP)
            if text.endswith(_LABELS):  # "dossier n°", "dossier médical n°", "patient #"
                return True
        elif text.endswith(_LABELS):
            return True
    return False


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans (one id found by two patterns) as one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@rule(
    "pii-record-id",
    Severity.ERROR,
    ignorable=False,
    sensitive=True,
)
def pii_record_id(post, ctx) -> Iterator[Problem]:
    """A patient record identifier (IPP, NDA, n° de dossier, n° de séjour…) must never be published.

    Checks
      Every text of the post for a hospital identifier followed by its number (at least
      4 digits, optionally grouped, optionally led by up to 3 capitals):
      the acronyms IPP, NDA, NIP, MRN written in capitals ("IPP : 8841203", "NDA 7700123"),
      and the words dossier, séjour, venue, admission, hospitalisation, patient,
      résident, identifiant (du) patient when tied to a number by "n°", "numéro",
      "no", "#" or ":" ("dossier n° 2024-55812", "n° de séjour 7700123",
      "numéro patient : 88412"); in English "medical record number", "patient ID",
      "hospital number", "NHS number". A word without "n°" or ":" before its number is
      not an identifier ("un séjour de 5 jours", "dossier 2027"), nor is "IPP 20 mg"
      (a drug class), "n° 12" alone, or a quantity after a colon ("Admission : 2 400
      étudiants").

    Why
      Local identifiers (IPP, NDA) single out a patient as surely as a name; medical
      secrecy covers them (CSP L1110-4, R4127-4, Code pénal 226-13), and HIPAA Safe
      Harbor lists medical record, account and any other unique numbers (45 CFR
      164.514(b)(2)(H), (J), (R)). This rule cannot be ignored.

    Fix
      Delete the identifier. If a patient must be contacted, do it through the
      care team, never through a public post.

    Examples
      flagged: "Merci de rappeler le service pour le dossier n° 2024-55812."
      passes:  "La durée moyenne de séjour en chirurgie ambulatoire est de 1 jour."
    """
    for field, text in post.texts():
        for span in find_record_ids(text):
            yield Problem("The text contains a patient record identifier (IPP, NDA, file or stay number).", field, span)
