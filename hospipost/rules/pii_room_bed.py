"""pii-room-bed: a room, bed or box number that locates a patient."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hospipost.rules._text import fold, lowered_text
from hospipost.rules.contracts import Problem, Severity, rule

# Patterns run on fold(text): lower case, no accents, plain apostrophes and spaces.
_NUM = r"(?:n\s?°|n\s?º|no\.?|numero|num\.|\#)"
ROOM_BED = re.compile(
    rf"""(?P<kw>\bchambre\b|\bch\.|\blit\b|\bbox\b|\broom\b|\bbed\b|\bbay\b|\bcubicle\b)
    (?P<num>\s*{_NUM})?\s*
    (?P<id>[0-9]{{1,4}}(?:[a-z](?![a-z0-9]))?(?![0-9,.][0-9])|(?<=\s)[a-z](?![\w'-]))""",
    re.VERBOSE,
)
# "chambre 2 lits", "lit 1 place", "box 3 fois": a size or a count, not an identifier.
_AFTER_COUNT = re.compile(
    r"\s*(?:lits?|places?|personnes?|pers\.|m2|m²|m\b|pieces?|etoiles?|ans?\b|jours?|nuits?|%|fois|h\b|"
    r"heures?|mois|semaines?|euros?|€|minutes?|min\b|beds?|rooms?|bedded|patients?|x\b|a\s+\d|au\s+\d|-bed)"
)
# A number followed by a plural noun after a bare "lit": the verb ("chaque radiologue lit 50 examens").
_PLURAL_NEXT = re.compile(
    r"\s+(?!(?:des|les|aux|dans|sous|sans|depuis|apres|puis|mais|plus|tous|ces|ses|nos|vos|leurs)\b)[a-z]+[sx]\b"
)
_LIT_DETERMINER = re.compile(r"(?:\b(?:le|du|au|un|son|leur|ce|mon|ton|notre|votre|the|a|her|his|their)\s+)$")
# Who or where: a person (civility, patient…) or a ward.
_CONTEXT = re.compile(
    r"""\b(?:m\.|mme|mlle|monsieur|madame|mr|mrs|ms|patiente?s?|residente?s?|hospitalise|admise?|installee?|
    transferee?|couchee?|alitee?|enfant|bebe|nourrisson|malade|admitted|resident|
    service|unite|rea|reanimation|soins\s+intensifs|soins\s+continus|usc|usi|usic|urgences|sau|uhcd|
    pediatrie|maternite|neonatologie|[a-z]+logie|chirurgie|pavillon|batiment|etage|aile|secteur|ward|icu|
    intensive\s+care|emergency|a&e|ehpad|ssr|usld|psychiatrie|geriatrie|hopital|bloc|pole)\b""",
    re.VERBOSE,
)
# A fair's stand or a meeting room: "box 3 du forum emploi", "lecture room 2".
_EVENT = re.compile(
    r"\b(?:stand|salon|forum|village|exposants?|job\s?dating|conference|lecture|meeting|seminar|board)\b"
)
_WINDOW = 80
# Cheap second gate on text.lower(): a keyword followed by a number, "n°" or a lone letter.
_GATE = re.compile(
    r"(?:chambre|ch\.|lit|box|room|bed|bay|cubicle)(?:[\s\u00a0\u202f]*[n#0-9º°]|[\s\u00a0\u202f]+[a-z](?![a-zà-ÿ]))"
)


def find_rooms_beds(text: str) -> list[tuple[int, int]]:
    """Spans of room / bed / box numbers tied to a person or a ward in ``text``."""
    low = lowered_text(text)
    if not (
        "chambre" in low
        or "ch." in low
        or "lit" in low
        or "box" in low
        or "room" in low
        or "bed" in low
        or "bay" in low
        or "cubicle" in low
    ):
        return []
    if not _GATE.search(low):
        return []
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    for match in ROOM_BED.finditer(folded):
        if _is_room_or_bed(match, text, folded, spans):
            spans.append((match.start(), match.end()))
    return _merged(spans, folded)


def _is_room_or_bed(match: re.Match[str], text: str, folded: str, earlier: list[tuple[int, int]]) -> bool:
    kw, ident, end = match.group("kw"), match.group("id"), match.end()
    if ident[0].isalpha() and not text[match.start("id")].isupper():
        return False  # "lit B" is a bed; "il lit a…" is not
    if _AFTER_COUNT.match(folded, end):
        return False
    if kw in ("chambre", "ch.") or match.group("num"):
        return True
    if earlier and match.start() - earlier[-1][1] <= 30:
        return True  # "chambre 214, lit B"
    window = folded[max(0, match.start() - _WINDOW) : end + _WINDOW]
    if kw in ("box", "boxe", "room", "bay", "cubicle") and _EVENT.search(window):
        return False
    if kw in ("lit", "bed"):
        if _LIT_DETERMINER.search(folded, max(0, match.start() - 12), match.start()):
            return True
        if ident[0].isdigit() and _PLURAL_NEXT.match(folded, end):
            return False
    return bool(_CONTEXT.search(window))


def _merged(spans: list[tuple[int, int]], folded: str) -> list[tuple[int, int]]:
    """ "chambre 214, lit B" is one location: join hits separated only by a comma or a few words."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and re.fullmatch(r"[\s,;/\-–—]*(?:et\s+|and\s+)?", folded[merged[-1][1] : start]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


@rule("pii-room-bed", Severity.ERROR)
def pii_room_bed(post, ctx) -> Iterator[Problem]:
    """A room, bed or box number that locates a patient in the hospital.

    Checks
      Every text of the post for a room, bed or box followed by its number or letter:
      "chambre 12", "ch. 118", "chambre n° 214", "chambre 214, lit B", "au lit 4",
      "box 3 des urgences", "bed 4 in the ICU", "Mr Smith in room 12".
      "chambre" and "ch." with a number are always reported; "lit" and "bed" when
      they are nouns (after le / du / au / un / son / the…, or with "n°") or near a
      person or a ward word; "box", "room", "bay" only near a person (M., Mme,
      patient·e, hospitalisé…) or a ward (service, unité, réanimation, urgences,
      étage, pavillon, ward, ICU…), and not at a fair or a meeting ("box 3 du forum
      emploi", "lecture room 2").
      Not reported: capacities and counts ("les 30 lits de l'unité", "une unité de 20
      lits", "200 chambres individuelles", "chambre 2 lits", "lit 1 place"), rooms
      without a number ("la chambre mortuaire", "lits de réanimation"), plurals and
      ranges ("chambres 201 à 212 rénovées", "box 1 à 12"), and the verb "lire"
      ("chaque radiologue lit 50 examens").
      Not detected: a room without its keyword ("en 214"), "salle", "bureau".

    Why
      A room or bed number, with the ward, the date or a detail of the story, lets
      visitors, colleagues or the press identify the patient; medical secrecy covers
      "tout ce qui est venu à la connaissance" of the carer (CSP L1110-4, R4127-4,
      Code pénal 226-13). GMC guidance (para 19) warns that individually harmless
      details add up to an identification; HIPAA Safe Harbor removes location details
      and any other unique identifying characteristic (45 CFR 164.514(b)(2)(B), (R)).

    Fix
      Remove the number: "dans le service", "en réanimation" is enough.

    Examples
      flagged: "Mme Leroy, chambre 214, lit B, remercie les équipes de cardiologie."
      passes:  "L'unité de soins continus compte désormais 12 lits."
    """
    for field, text in post.texts():
        for span in find_rooms_beds(text):
            yield Problem("The text gives a room, bed or box number that can locate a patient.", field, span)
