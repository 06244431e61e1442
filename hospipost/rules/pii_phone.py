"""pii-phone: a phone number that is neither the hospital's own nor a national service number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from hospipost.rules._text import fewer_digits_than
from hospipost.rules.contracts import Problem, Severity, rule

_NON_DIGITS = re.compile(r"[^0-9]")
_SEP = "[ .\\-\u00a0\u202f\u2009\u2011]"

# A run of digits that may be a phone number: optional "+" or "(", digits, single separators,
# parentheses ("+33 (0)6 …", "(617) 555-0142"). Cheap; the real test comes after.
# Opens on a character class so that the regex engine skips ordinary text fast.
_CANDIDATE = re.compile(rf"[(+0-9](?:[0-9()+]|{_SEP}\(?(?=[0-9])|\(\s?(?=[+0-9]))*")
_NOT_BEFORE = frozenset("+/=_@-")
# "1 250 000", "+12 500": a quantity written with thousands separators, not a phone number.
_THOUSANDS = re.compile(r"\+?[0-9]{1,3}(?:[ .\u00a0\u202f\u2009][0-9]{3})+")
# North-American layout: (617) 555-0142, 617-555-0142, 617.555.0142.
_NANP = re.compile(r"(?:\([2-9][0-9]{2}\)\s?|[2-9][0-9]{2}[-.])[2-9][0-9]{2}[-.][0-9]{4}")
# Free-call numbers (numéros verts, 0 800 to 0 805): always a public service, never a person.
_FREE_FR = re.compile(r"^(?:\+33|0)80[0-5]")
# Regions tried for a number written in national form (leading 0) that is not a French one.
_OTHER_REGIONS = ("BE", "CH", "LU", "GB", "DE", "ES", "IT", "NL", "MA", "DZ", "TN")


def _e164_french(digits: str) -> str:
    return "+33" + digits[1:]


def _valid_e164(text: str, region: str | None) -> str | None:
    """The E.164 form of ``text`` read in ``region`` when phonenumbers finds it valid."""
    import phonenumbers  # lazy: slow to import and to run, only reached by real candidates

    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=32)
def _allowed_set(numbers: tuple[str, ...]) -> frozenset[str]:
    """The allowed numbers as E.164 strings (parsed as French when written nationally)."""
    allowed = set()
    for number in numbers:
        text = str(number).strip()
        if text.startswith("00"):
            text = "+" + text[2:]
        e164 = _valid_e164(text.replace("(0)", ""), "FR")
        if e164:
            allowed.add(e164)
        digits = _NON_DIGITS.sub("", text)
        if len(digits) == 10 and digits[0] == "0":
            allowed.add(_e164_french(digits))
    return frozenset(allowed)


def _as_phone(candidate: str) -> str | None:
    """The E.164 form of a candidate that is a phone number, else None."""
    digits = _NON_DIGITS.sub("", candidate)
    body = candidate.lstrip("( ")
    international = body.startswith("+") or (body.startswith("00") and len(digits) >= 10)
    if not 8 <= len(digits) <= 15:
        return None
    if not international:
        if len(digits) == 10 and digits[0] == "0" and digits[1] != "0":
            return _e164_french(digits)  # the French national layout: 0X XX XX XX XX
        if _NANP.fullmatch(candidate.strip()):
            return _valid_e164(candidate, "US")
        if digits[0] != "0" or digits[1] == "0" or not 9 <= len(digits) <= 12:
            return None
        for region in _OTHER_REGIONS:  # "020 7946 0958", "02 555 12 34", "022 372 33 11"
            e164 = _valid_e164(candidate, region)
            if e164:
                return e164
        return None
    if _THOUSANDS.fullmatch(candidate.strip()):
        return None
    # "+33 (0)6 12 34 56 78": the trunk 0 in brackets is not dialled from abroad
    dialled = _NON_DIGITS.sub("", candidate.replace("(0)", "", 1))
    return _valid_e164("+" + (dialled[2:] if body.startswith("00") else dialled), None)


def find_phones(text: str, allowed: tuple[str, ...] = ()) -> list[tuple[int, int]]:
    """Spans of the phone numbers in ``text`` that are not allowed nor public services."""
    if fewer_digits_than(text, 8):
        return []
    found = []
    skip: list[tuple[int, int]] | None = None
    for match in _CANDIDATE.finditer(text):
        start, end = match.span()
        while end > start and not text[end - 1].isdigit() and text[end - 1] != ")":
            end -= 1  # "(617) " → "(617)"; "+" alone
        if end - start < 8 or fewer_digits_than(text[start:end], 8):
            continue
        before = text[start - 1] if start else " "
        if before.isalnum() or before in _NOT_BEFORE or (end < len(text) and (text[end].isalnum() or text[end] == "@")):
            continue  # inside a word, a link, an address or a longer number
        e164 = _as_phone(text[start:end])
        if e164 is None or _FREE_FR.match(e164):
            continue
        if allowed and e164 in _allowed_set(allowed):
            continue
        if skip is None:
            skip = _spans_to_skip(text)
        start, end = _trimmed(text, start, end)
        if any(a < end and start < b for a, b in skip):
            continue
        found.append((start, end))
    return found


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without enclosing or unbalanced brackets: "(06 12 34 56 78)"."""
    if text[start] == "(" and text.find(")", start, end) == end - 1:
        start, end = start + 1, end - 1
    while text[start] == "(" and text.count(")", start, end) < text.count("(", start, end):
        start += 1
    while text[end - 1] == ")" and text.count("(", start, end) < text.count(")", start, end):
        end -= 1
    return start, end


def _spans_to_skip(text: str) -> list[tuple[int, int]]:
    """Links and record ids: digits there are not phone numbers (pii-record-id reports the ids).

    NIRs need no check: 15 digits without a leading 0 or "+" never pass ``_as_phone``.
    """
    from hospipost.rules.pii_record_id import find_record_ids

    spans = find_record_ids(text)
    if "/" in text or "www" in text:
        from hospipost.rules._text import find_urls

        spans += [(a, b) for a, b, _ in find_urls(text)]
    return spans


@rule(
    "pii-phone",
    Severity.ERROR,
    sensitive=True,
)
def pii_phone(post, ctx) -> Iterator[Problem]:
    """A phone number that is not the hospital's own or a public service number.

    Checks
      Every text of the post for a phone number: French numbers in national form
      (10 digits starting with 0: "06 12 34 56 78", "02.41.35.36.37", "0612345678"),
      international ones ("+33 6 12 34 56 78", "0033 6 …", "+33 (0)2 …", "+44 20 …",
      "+1 617 555 0142") validated with the phonenumbers library, national forms of
      neighbouring countries ("02 555 12 34" in Belgium, "020 7946 0958" in the UK) and
      North-American ones ("(617) 555-0142").
      Not reported:
      - numbers listed in compliance.allowed_phone_numbers (digits compared after
        normalisation, so "02 41 35 36 37", "02.41.35.36.37" and "+33 2 41 35 36 37"
        are the same number);
      - short numbers, which in France are always public services: 15, 17, 18, 112,
        114, 115, 119, 116 xxx (116 117, 116 006…), 3114, 3919, 39 89, 3237 and
        other 4-digit numbers;
      - free-call numbers (numéros verts 0 800 to 0 805), such as Canicule info
        service 0 800 06 66 66: they are always public or institutional services;
      - years, dates (12/03/2026, 12.03.2026), times (9h30), prices and counts
        ("1 250 000 EUR", "+12 000 visiteurs"), percentages, postcodes, NIRs and
        record ids (reported by pii-nir and pii-record-id), digits inside links.
      Paid service numbers (08 1x to 08 9x) are reported: add them to the allow-list
      when they are the right ones to publish.

    Why
      A personal phone number identifies and exposes a patient or a staff member
      (CSP L1110-4 on privacy, Code civil art. 9); HIPAA Safe Harbor lists telephone
      and fax numbers among the identifiers (45 CFR 164.514(b)(2)(D), (E)). A wrong or
      private number in an institutional post also sends the public to the wrong place;
      the emergency and national numbers come from the ARCEP list (15 SAMU, 17, 18,
      112, 114 by SMS for deaf and hard-of-hearing people).

    Fix
      Remove the number, or replace it with the hospital's switchboard or the
      service's public number, listed in compliance.allowed_phone_numbers.

    Examples
      flagged: "Pour tout renseignement, appelez Julie au 06 12 34 56 78."
      passes:  "Standard du CHU : 02 41 35 36 37. En cas d'urgence, appelez le 15."
    """
    allowed = tuple(str(n) for n in ctx.config.compliance.allowed_phone_numbers or ())
    for field, text in post.texts():
        for span in find_phones(text, allowed):
            yield Problem("The text contains a phone number that is not an allowed public number.", field, span)
