"""pii-address: the street address of a person (not of the hospital or of an event)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hospipost.rules._text import fold
from hospipost.rules.contracts import Problem, Severity, rule

# Patterns run on fold(text): lower case, no accents, plain apostrophes and spaces.
_STREET_TYPES = (
    r"rue|avenue|av|bd|boulevard|bld|chemin|ch|allee|impasse|place|pl|route|rte|quai|cours|square|sentier"
    r"|passage|residence|lotissement|lieu-dit|hameau|cite|villa|voie|rond-point|faubourg|fbg|promenade|esplanade"
)
# "12 rue des Lilas", "4 bis, avenue Foch", "221B Baker Street"
ADDRESS = re.compile(
    rf"""\b(?P<number>[0-9]{{1,4}})\s*(?:bis|ter|quater|[a-d])?\b,?\s*
    (?:
      (?:{_STREET_TYPES})\b\.?\s+(?:de\s+la\s+|de\s+l'|des\s+|du\s+|de\s+|d'|l'|la\s+|le\s+|les\s+)?(?P<name>[a-z0-9][\w'-]*)
      |(?P<en>[a-z][\w'-]*\s+){{1,3}}?(?:street|road|lane|avenue|drive|st\.|rd\.?)(?![\w])
    )""",
    re.VERBOSE,
)
# Cheap gate: a number followed by the start of a street type (opens on a digit class: fast).
_GATE = re.compile(
    r"[0-9](?:[\s,]*(?:bis|ter|quater|[a-dA-D]))?,?[\s\u00a0\u202f]+(?=[a-zA-Zé])"
    r"(?i:rue|av|bd|bou|bld|ch|all|imp|pl|rou|rte|qua|cou|squ|sen|pas|r[ée]s"
    r"|lot|lieu|ham|cit|vil|voi|fau|fbg|pro|esp|[a-z'-]+\s+(?:[a-z'-]+\s+)?(?:street|road|lane|avenue|drive|st\.|rd))"
)
# The address is a person's: where they live.
_HOME = re.compile(
    r"""\b(?:habite|habitait|habitant|habitante|domicilie|domicile|demeurant|demeure|reside|residait|residant
    |residente?|vit\s+(?:au|a|dans|rue)|vivait|chez\s+(?:lui|elle|eux|son|sa|ses|m\.|mme|monsieur|madame)|son\s+adresse
    |sa\s+maison|son\s+appartement|son\s+logement|lives|lived|living|resides|resided|home\s+address|his\s+home
    |her\s+home|their\s+home|at\s+home)""",
    re.VERBOSE,
)
# A person: civility and name ("M. Durand, 12 rue…"), a patient or a relative.
_PERSON = re.compile(
    r"""(?:(?<![\w.])(?:m\.|mme|mlle|monsieur|madame|mademoiselle|mr\.?|mrs\.?|ms\.?)\s+[a-z]
    |\b(?:patient(?:e|·e)?|malade|famille|parents|fils|fille|mere|pere|epoux|epouse|veuve|voisin(?:e)?|enfant)\b)""",
    re.VERBOSE,
)
# The hospital, a building or an event: "rendez-vous au CHU, 4 rue Larrey", "Amphithéâtre, 4 rue Larrey".
_PLACE = re.compile(
    r"""\b(?:chu|ch|chr|ght|hopital|clinique|centre|site|batiment|pavillon|amphitheatre|amphi|salle|hall|maison\s+de
    |mairie|siege|locaux|cabinet|pharmacie|laboratoire|ehpad|ifsi|ecole|institut|faculte|universite|campus
    |rendez-vous|rdv|adresse\s+du|accueil|stand|forum|salon|conference|reunion|atelier|permanence|consultation
    |service|pole|unite|parking|entree|residence\s+(?:autonomie|seniors)|hospital|clinic|venue|building|office)\b""",
    re.VERBOSE,
)
# The rest of a street name: "bd du Roi René", "rue Jean de la Fontaine".
_MORE_NAME = re.compile(r"(?:[ \u00a0](?:de |du |des |de la |d'|d’|la |le )?[A-ZÀ-Þ][\w'’-]*)*")
_SENTENCE_END = re.compile(r"(?<!\bm)(?<!\bmme)(?<!\bdr)(?<!\bpr)(?<!\bst)[.!?](?=\s)|\n")


def find_person_addresses(text: str) -> list[tuple[int, int]]:
    """Spans of street addresses presented as where a person lives in ``text``."""
    if not _GATE.search(text):
        return []
    folded = fold(text)
    spans = []
    for match in ADDRESS.finditer(folded):
        name_start = match.start("name") if match.group("name") else match.start("en")
        if not (text[name_start].isupper() or text[name_start].isdigit()):
            continue  # "2 cours de yoga", "3 place de parking": street names are capitalised
        left, right = _sentence(folded, match.start(), match.end())
        before = folded[max(left, match.start() - 80) : match.start()]
        after = folded[match.end() : min(right, match.end() + 40)]
        if (
            _HOME.search(before)
            or _HOME.search(after)
            or (_PERSON.search(before) and not _PLACE.search(_clause_before(before)))
        ):
            more = _MORE_NAME.match(text, match.end())
            assert more is not None, "_MORE_NAME is a starred group: it matches (maybe empty) everywhere"
            spans.append((match.start(), more.end()))
    return spans


def _clause_before(before: str) -> str:
    """The words between the person and the address: where an institution would be named."""
    matches = list(_PERSON.finditer(before))
    return before[matches[-1].end() :] if matches else before


def _sentence(folded: str, start: int, end: int) -> tuple[int, int]:
    left, right = 0, len(folded)
    for match in _SENTENCE_END.finditer(folded):
        if match.end() <= start:
            left = match.end()
        elif match.start() >= end:
            right = match.start()
            break
    return left, right


@rule(
    "pii-address",
    Severity.WARNING,
    sensitive=True,
)
def pii_address(post, ctx) -> Iterator[Problem]:
    """The street address of a person (patient, relative, staff member at home).

    Checks
      Every text of the post for a street address (a number, then rue, avenue, bd,
      chemin, allée, impasse, place, route, quai, résidence, lieu-dit…, or street,
      road, lane, drive…) in a sentence that makes it a person's:
      - a residence word before or after it: habite, domicilié·e, demeurant,
        réside, vit au, chez lui / elle, son domicile, lives at, home address;
      - or a person before it (M., Mme, Madame…, patient·e, famille, parents, fils,
        fille, voisin) with no place between them ("M. Durand, 12 rue des Lilas").
      Not reported: the address of the hospital, a building or an event ("rendez-vous
      au CHU, 4 rue Larrey, 49933 Angers", "Amphithéâtre, 4 rue Larrey", "M. le
      Maire inaugurera la maison de santé, 4 rue des Lilas").
      A warning, not an error: an address alone is less than an identity, and the
      heuristic cannot know every institution.

    Why
      Where a patient lives, with a name or a story, identifies them (CSP L1110-4,
      Code civil art. 9 on private life); HIPAA Safe Harbor removes street addresses
      and every geographic unit smaller than a state (45 CFR 164.514(b)(2)(B)).

    Fix
      Remove the street address; the town, or nothing, is enough.

    Examples
      flagged: "M. Durand, qui habite 12 rue des Lilas, remercie ses voisins."
      passes:  "Rendez-vous au CHU, 4 rue Larrey, 49933 Angers, à 18 h."
    """
    for field, text in post.texts():
        for span in find_person_addresses(text):
            yield Problem("The text gives the street address of a person.", field, span)
