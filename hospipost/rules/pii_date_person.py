"""pii-date-person: a date of birth, admission, discharge or death tied to a person."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hospipost.rules._text import any_of, fold, without_stems
from hospipost.rules.contracts import Problem, Severity, rule

# Patterns run on fold(text): lower case, no accents, plain apostrophes and spaces.
# Gender and plural marks, inclusive writing included: é, ée, és, ées, é·e, é·e·s, é.e, é-e, é(e)s
_G = r"(?:e|[·•.\-]e|\(e\))?(?:s|[·•.\-]s|\(s\))?"
_FR_MONTHS = (
    r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
    r"|janv\.?|fevr?\.?|avr\.?|juil\.?|sept\.?|oct\.?|nov\.?|dec\."
)
_EN_MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan\.?|feb\.?|mar\.|apr\.?|jun\.|jul\.|aug\.?|sep\.|sept\.?|oct\.?|nov\.?|dec\."
)
_WEEKDAY = (
    r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+)?"
)
_YEAR = r"(?:19|20)?[0-9]{2}"
# A date with at least a day and a month, or a month and a year (HIPAA keeps only the year).
DATE = (
    rf"(?:{_WEEKDAY}(?:1er|1st|[0-3]?[0-9])(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_FR_MONTHS}|{_EN_MONTHS})"
    rf"(?:,?\s+(?:19|20)[0-9]{{2}})?"
    rf"|{_WEEKDAY}(?:{_EN_MONTHS})\s+[0-3]?[0-9](?:st|nd|rd|th)?(?![0-9])(?:,?\s+(?:19|20)[0-9]{{2}})?"
    rf"|(?P<numeric>[0-3]?[0-9][/.\-][01]?[0-9](?:[/.\-]{_YEAR})?)(?![0-9/])"
    rf"|(?:19|20)[0-9]{{2}}-[01][0-9]-[0-3][0-9]"
    rf"|(?:{_FR_MONTHS}|{_EN_MONTHS})\s+(?:19|20)[0-9]{{2}})"
)
# What ties a date to a person: being born, admitted, operated on, discharged, dying.
_PARTICIPLE = (
    rf"(?P<pp>ne|opere|transfere|decede|hospitalise|hospitalize|accouche|greffe|transplante|intube|rapatrie){_G}"
)
_TRIGGER = (
    rf"(?:{_PARTICIPLE}"
    rf"|(?P<plain>admis{_G}|sorti{_G}|nee|nees|(?:venue?s?|mise?s?)\s+au\s+monde"
    r"|a\s+vu\s+le\s+jour|(?:s'est\s+)?eteinte?|nous\s+a\s+quitte" + _G + r"|a\s+donne\s+naissance"
    r"|born|admitted|discharged|died|passed\s+away|delivered|underwent\s+surgery|was\s+operated\s+on)"
    r"|(?P<noun>(?:sa|son|leur|his|her|their)\s+(?:naissance|admission|hospitalisation|sortie|deces|death|birth|discharge)"
    r"|date\s+(?:de\s+|d'|du\s+)(?:naissance|deces|entree|sortie|admission|hospitalisation)"
    r"|date\s+of\s+(?:birth|death|admission|discharge)|ddn|d\.?o\.?b\.?))"
)
DATE_PERSON = re.compile(
    rf"""\b{_TRIGGER}(?![a-z0-9])
    (?P<gap>(?:\s+[\w'-]+){{0,6}}?)   # "admise aux urgences", "née à Angers"
    \s*,?\s*(?:le|on|en|in|the|:|-)?\s*
    (?P<date>{DATE})""",
    re.VERBOSE,
)

_DIGIT = re.compile(r"[0-9]")
# A day followed by a month name, or dd/mm: opens on a digit class, so ordinary text is skipped fast.
_MONTH_STEMS = r"janv|f[ée]v|mars|avr|mai|juin|juil|ao[uû]|sept|oct|nov|d[ée]c|jan|feb|mar|apr|may|jun|jul|aug|sep"
_DATE_GATE = re.compile(
    rf"[0-9](?:[\s\u00a0\u202f]?(?=[jfmasondJFMASOND])(?i:{_MONTH_STEMS})"
    rf"|(?:er|st|nd|rd|th)[\s\u00a0\u202f]+(?:of[\s\u00a0\u202f]+)?(?i:{_MONTH_STEMS})|[/.\-][0-9])"
)
# Trigger stems looked for (lower case) just before a date.
_KEYS = (
    "admis",
    "admitted",
    "admission",
    "sorti",
    "décéd",
    "deced",
    "décès",
    "deces",
    "opéré",
    "opere",
    "operated",
    "hospitalis",
    "hospitaliz",
    "transféré",
    "transfere",
    "accouch",
    "greffé",
    "greffe",
    "transplant",
    "intubé",
    "intube",
    "rapatri",
    "au monde",
    "vu le jour",
    "étei",
    "etei",
    "quitt",
    "naissance",
    "ddn",
    "born",
    "died",
    "passed away",
    "discharg",
    "deliver",
    "underwent",
    "birth",
    "death",
    "dob",
    "d.o.b",
    "entrée",
    "entree",
)
_MONTH_FIRST_KEYS = (
    "born",
    "admitted",
    "discharg",
    "died",
    "passed away",
    "birth",
    "death",
    "dob",
    "delivered",
    "underwent",
    "operated",
    "né en",
    "née en",
    "nés en",
    "nées en",
    "ne en",
    "nee en",
)
_KEYS_GATE, _MONTH_FIRST_GATE = any_of(_KEYS), any_of(_MONTH_FIRST_KEYS)
_NE_WORD = re.compile(r"(?<![^\W\d_])n[ée]e?s?(?![^\W\d_])")
# Auxiliary "avoir" before the participle: the subject did the act ("le CHU a opéré le 3 mai…").
_AVOIR_BEFORE = re.compile(
    r"\b(?:a|ont|avons|avez|avait|avaient|aura|auront|ai|has|have|had)\s+(?:deja\s+|already\s+)?$"
)
# Many people, not one: "300 patients admis le…", "les bébés nés le 1er janvier".
_GROUP_BEFORE = re.compile(
    r"(?:\b[0-9][0-9\s]*\s+(?:[a-z'-]+\s+){0,2}"
    r"|\b(?:les|des|ces|nos|vos|aux|tous\s+les|toutes\s+les|the|all)\s+(?:[a-z'-]+\s+)?)"
    r"(?!(?:ans|mois|jours|semaines|heures|years|months|days|weeks)\s)[a-z'-]+[sx]\s+$"
)
# Things, not people, are "nés" or "sortis" when they are the subject: "le projet, né le…",
# "le guide sorti le 4 mai", "le CHU est né le…".
_THING_BEFORE = re.compile(
    r"\b(?:projet|service|unite|idee|association|batiment|initiative|programme|application|appli|guide|livre"
    r"|ouvrage|rapport|film|numero|magazine|edition|version|site|reseau|partenariat|centre|concept|collaboration"
    r"|pole|plateforme|dispositif|etude|campagne|podcast|documentaire|bulletin|journal|revue|clip|video|album"
    r"|lettre|newsletter|chantier|structure|chu|ght|groupement|hopital|clinique|maison|ecole|institut|fondation"
    r"|prix|festival|evenement)(?:\s+[a-z'-]+){0,4}\s*,?\s*(?:(?:est|etait|a\s+ete|fut)\s+)?$"
)
_ACTIVE_OBJECT = re.compile(
    r"\s+(?:[0-9]|(?:the|a|an|our|their|its|more|over|some|many|several|all|about|nearly|almost)\b)"
)
# Staff and officials, whose birth or death dates are public in tributes and portraits.
_STAFF = re.compile(
    r"\b(?:dr|pr|docteure?|professeure?|prof|doyen(?:ne)?|chef(?:fe)?|directeur|directrice|ancien(?:ne)?|collegue"
    r"|infirmiere?|cadre|sage-femme|chirurgien(?:ne)?|medecin|praticien(?:ne)?|president(?:e)?|maire|fondat(?:eur|rice))\b\.?"
)
_PATIENT = re.compile(r"\b(?:patient|malade|resident|hospitalis)")
_BIRTH_DEATH = ("nee", "nees", "a vu", "eteint", "s'est", "nous a", "born", "died", "passed")
_SCHOOL = re.compile(r"\b(?:concours|examen|diplome|ecole|formation|ifsi|universite|faculte|master|school|college)")
# A nursing home in the sentence: the person who died or was born is one of its residents,
# whatever else describes them ("doyenne", "ancienne directrice d'école").
_NURSING_HOME = re.compile(
    r"\b(?:ehpad|e\.h\.p\.a\.d|maison\s+de\s+retraite|residence\s+(?:autonomie|seniors?|services|les?|la|du|des)\b"
    r"|usld|soins\s+de\s+longue\s+duree|long\s+sejour|mapad|foyer[-\s]logement|nursing\s+home|care\s+home)"
)
# Carers and heads of the home, whose death is announced in a tribute.
_CARER = re.compile(
    r"\b(?:dr|pr|docteure?|professeure?|medecin|infirmiere?|cadre|aide-soignante?|soignante?"
    r"|(?:directeur|directrice|president(?:e)?|fondat(?:eur|rice))\s+(?:de\s+l'|du\s+|de\s+la\s+|de\s+notre\s+)"
    r"(?:ehpad|residence|maison|etablissement|chu|hopital|centre))\b"
)
# "Sortie le 2 décembre en librairie", "sorti le 12 janvier en salles": a book's or a film's release.
_RELEASE_AFTER = re.compile(
    r"\s*,?\s*(?:en\s+(?:librairies?|salles?|kiosques?|dvd|blu-ray|streaming|ligne|vinyle|poche|numerique|replay)"
    r"|dans\s+(?:les\s+|toutes\s+les\s+|votre\s+)?(?:librairies?|salles?|kiosques?)"
    r"|(?:du|de\s+notre|de\s+la|de\s+l'|des|d'un|d'une|de\s+son|de\s+leur)\s+(?:[a-z'-]+\s+){0,2}?(?:livre|ouvrage|numero|magazine"
    r"|film|guide|album|rapport|edition|podcast|documentaire|bd|roman|tome|revue|journal|bulletin|application|appli"
    r"|version|clip|video|episode|saison|disque|single|jeu|recueil|catalogue|annuaire|programme))"
)
_NOUN_SORTIE = re.compile(r"\b(?:la|une|cette|de|des|l'|leur|prochaine|nouvelle|premiere|derniere)\s*$")


def find_dates_of_persons(text: str) -> list[tuple[int, int]]:
    """Spans "trigger … date" tying a date to a person in ``text``."""
    if not _has_trigger_near_a_date(text):
        return []
    folded = fold(text)
    spans = []
    for match in DATE_PERSON.finditer(folded):
        if _is_personal(match, text, folded):
            spans.append((match.start(), match.end()))
    return spans


def _has_trigger_near_a_date(text: str) -> bool:
    """Cheap gate: a day-month date with a trigger word in the 100 characters before it."""
    found_date = False
    for date in _DATE_GATE.finditer(text):
        found_date = True
        window = text[max(0, date.start() - 100) : date.start()].lower()
        if _KEYS_GATE.search(window) or (("né" in window or "nee" in window) and _NE_WORD.search(window)):
            return True
    if found_date or not _DIGIT.search(text):
        return False
    return not without_stems(_MONTH_FIRST_GATE, text)  # month-first: "admitted on March 3", "née en avril 1931"


def _is_personal(match: re.Match[str], text: str, folded: str) -> bool:
    numeric = match.group("numeric")
    if numeric:
        parts = re.split(r"[/.\-]", numeric)
        if not (1 <= int(parts[0]) <= 31 and 1 <= int(parts[1]) <= 12):
            return False
        if "." in numeric and len(parts) == 2:
            return False  # "3.5" is a number, not a date
    if match.group("noun"):
        return True
    start = match.start()
    pp = match.group("pp")
    if pp:
        stem_end = match.start("pp") + len(pp)
        if text[stem_end - 1] not in "éÉ":
            return False  # "ne" (negation), "opère", "hospitalise": not a past participle
        if pp != "accouche" and _AVOIR_BEFORE.search(folded, max(0, start - 20), start):
            return False
    plain = match.group("plain") or ""
    if plain.startswith(("admis", "sorti", "admitted", "discharged")) and _AVOIR_BEFORE.search(
        folded, max(0, start - 20), start
    ):
        return False
    if plain.startswith(("admis", "admitted")) and _SCHOOL.search(match.group("gap")):
        return False  # "admis au concours de l'internat le 3 juillet": an exam, not a hospital stay
    if plain in ("admitted", "discharged", "delivered") and _ACTIVE_OBJECT.match(match.group("gap")):
        return False  # "the hospital admitted 300 patients on…": the subject is not the person
    before = folded[max(0, start - 50) : start]
    before = re.split(r"[.;!?:]\s", before)[-1]
    if _GROUP_BEFORE.search(before):
        return False
    if pp == "ne" or plain.startswith(("nee", "sorti")):
        thing = _THING_BEFORE.search(before)
        if thing and not _PATIENT.search(before, 0, thing.start()):
            return False
    if plain.startswith("sorti") and (
        _NOUN_SORTIE.search(folded, max(0, start - 15), start) or _RELEASE_AFTER.match(folded, match.end())
    ):
        return False
    birth_or_death = pp in ("ne", "decede") or plain.startswith(_BIRTH_DEATH)
    if birth_or_death and _STAFF.search(before) and not _PATIENT.search(before):
        # A tribute or a portrait of a carer ("le Pr X, ancien chef de service, nous a quittés
        # le…"), unless the sentence is about a nursing home's resident.
        left = max(folded.rfind(". ", 0, start), folded.rfind("\n", 0, start)) + 1
        right = folded.find(". ", match.end())
        sentence = folded[left : right if right != -1 else len(folded)]
        return bool(_NURSING_HOME.search(sentence)) and not _CARER.search(folded, left, start)
    return True


@rule(
    "pii-date-person",
    Severity.ERROR,
    sensitive=True,
)
def pii_date_person(post, ctx) -> Iterator[Problem]:
    """A date of birth, admission, discharge or death tied to a person.

    Checks
      Every text of the post for a date with at least a day and a month (or a month
      and a year) tied to a person by:
      - being born: "née le 3 avril 1931", "né·e le …", "nés le 1er janvier",
        "a vu le jour le …", "date de naissance : 03/04/1931", "DDN", "born on …";
      - admission and care: "admise le 12/03", "hospitalisé depuis le …",
        "opérée le …", "transféré le …", "a accouché le …", "admitted on …";
      - discharge: "sorti le 4 mai", "date de sortie", "discharged on …";
      - death: "décédée le …", "s'est éteint le …", "date du décès", "died on …".
      Up to six words may stand between ("admise aux urgences du CHU le 12 mars",
      "née à Angers, le 3 avril 1931").
      Not reported: events of the institution ("inauguré le 3 avril", "le service a
      ouvert le …"), the hospital as the subject ("le CHU a admis … le"), exams ("admis
      au concours de l'internat le 3 juillet"), groups ("300
      patients admis le 1er janvier", "les bébés nés le …"), things that are "nés" or
      "sortis" ("le projet, né le …", "le guide sorti le 4 mai"), a year alone ("née en
      1931", HIPAA keeps the year), present tenses ("le Pr X opère le 12 mars"), and the
      birth or death date of a carer in a tribute or a portrait ("le Pr X, ancien chef
      de service, nous a quittés le …").
      Not detected: relative dates ("admise hier"), weekdays alone, and a date written
      before the word that ties it to the person ("le 3 avril 1931 naissait…").

    Why
      With a name, a ward or a story, a date of birth, admission, discharge or death
      identifies the patient: it is covered by medical secrecy (CSP L1110-4, R4127-4,
      Code pénal 226-13) and is one of the five INS identity traits. HIPAA Safe
      Harbor removes every date element but the year for dates tied to an individual
      (45 CFR 164.514(b)(2)(C)).

    Fix
      Remove the date, keep the season or the year at most, or drop what links it to
      the person.

    Examples
      flagged: "Jeanne, née le 3 avril 1931, a fêté ses 95 ans dans le service."
      passes:  "Le nouveau bâtiment sera inauguré le 3 avril."
    """
    for field, text in post.texts():
        for span in find_dates_of_persons(text):
            yield Problem("The text ties a date of birth, admission, discharge or death to a person.", field, span)
