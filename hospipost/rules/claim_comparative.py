"""claim-comparative: a superlative or comparative claim (the best, the only, number one).

Two steps (see ``_claims``): a gate of stems on the lowercased text, then the precise
patterns on the folded text, written in folded form ("hôpital" is ``hopital``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.rules._claims import DENIED_BEFORE, sentence_before
from hospipost.rules._text import any_of, fold, without_stems
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext


# Places that turn "le seul", "le premier", "le meilleur" into a ranking.
_GEO = (
    r"(?:(?:en|de|du|au|dans|of|in)\ (?:la\ |l'|le\ |the\ |toute\ la\ |toute\ l'|tout\ le\ )?|d')"
    r"(?:france|europe|monde|world|country|region|hexagone|grand\ ouest|ouest|pays\ de\ la\ loire|"
    r"departement|maine-et-loire|anjou)(?![\w-])"
)
_PLACES = r"(?:hopital|hopitaux|chu|chr|centres?|services?|etablissements?|equipes?|maternites?|cliniques?|unites?|poles?|plateaux?\ techniques?|sites?)"
_EXPERTS = r"(?:medecins?|chirurgiens?|specialistes?|praticiens?|experts?|expertises?|soignants?|professionnels?)"
_BETTER = (
    r"(?:efficaces?|sure?s?|performante?s?|precise?s?|fiables?|rapides?|modernes?|innovante?s?|"
    r"sophistiquee?s?|avancee?s?|complete?s?|equipee?s?)"
)

_COMPARATIVE_STEMS = (
    "meilleu",
    "seul",
    "unique",
    "premi",
    "1er",
    "1re",
    "1ère",
    "leader",
    "supérieu",
    "superieu",
    "inégal",
    "inegal",
    "s égal",
    "s egal",
    "quivalent",
    "incomparab",
    "imbattab",
    "hors pair",
    "pareil",
    "surpass",
    "best",
    "better",
    "safer",
    "superior",
    "leading",
    "world",
    "unrival",
    "second to none",
)
_ENGLISH_STEMS = ("first", "only", "number", "more eff", "more acc", "more rel")
# "plus efficace que", "le plus grand … de France": "plus " or "moins " then one of these.
_MORE_OR_LESS_NEXT = (
    "eff",
    "sûr",
    "sur",
    "perf",
    "préci",
    "preci",
    "fiab",
    "rapid",
    "modern",
    "innov",
    "sophis",
    "avanc",
    "compl",
    "équip",
    "equip",
    "grand",
    "import",
    "reconn",
    "expéri",
    "experi",
    "spécial",
    "special",
    "attrac",
    "dang",
    "risq",
    "tox",
    "doul",
    "inva",
    "cher",
    "chèr",
)
# n°1, numéro un, no. 1 (with any space: "°" alone)
_NUMBER_ONE_STEMS = ("°", "numéro", "numero", "no.", "no 1", "no1")
_COMPARATIVE_GATE = any_of(
    [
        *_COMPARATIVE_STEMS,
        *_ENGLISH_STEMS,
        *_NUMBER_ONE_STEMS,
        *(f"{word} {next_stem}" for word in ("plus", "moins") for next_stem in _MORE_OR_LESS_NEXT),
    ]
)

_COMPARATIVE = re.compile(
    rf"""(?x)
    (?<![\w-])(?:
        # le meilleur hôpital, les meilleurs spécialistes, meilleur CHU de France
        (?:le|la|les|l'|notre|nos|leur|leurs|son|sa|ses|des|du|au|aux)\ ?meilleure?s?\ (?:{_PLACES}|{_EXPERTS})
      | meilleure?s?\ (?:[\w-]+\ ){{0,4}}?{_GEO}
      | meilleure?s?\ que?(?![\w])
      # le seul / la seule ... de France, le seul centre à proposer ...
      | (?P<only>(?:le|la|les|l'|notre|nos)\ ?(?:seule?s?|uniques?)\ (?:[\w-]+\ ){{0,4}}?{_GEO})
      | (?:le|la|notre)\ seule?\ {_PLACES}\ (?:a|qui|capable|habilitee?|autorisee?)(?![\w])
      | (?<!un\ )(?<!une\ )seule?s?\ {_PLACES}\ (?:[\w-]+\ ){{0,4}}?{_GEO}
      | uniques?\ (?:en|au|dans)\ (?:la\ |l'|le\ )?(?:france|europe|monde|region|hexagone|grand\ ouest|ouest|pays\ de\ la\ loire)
      # premier en France, première européenne
      | (?P<first>premier|premiere|premiers|premieres|1er|1ere|1re|1ers)\ (?:[\w-]+\ ){{0,4}}?{_GEO}
      | premiere?s?\ (?:mondiale?s?|europeenne?s?|nationale?s?|francaise?s?)(?![\w])
      # n°1, numéro un, leader
      | (?:le|la|les|est|sont|sommes|notre|devient|reste|rester|devenir|classee?s?|elue?s?)\ (?:n\ ?°|no\.?|numero|num\.?)\ ?(?:1|un)(?![\w,.]\d|\w)
      | (?:n\ ?°|numero)\ ?(?:1|un)\ (?:mondial|francais|europeen|national|en\ france|en\ europe|de\ france|d'europe|du\ classement|au\ classement|des\ ventes)
      | (?:(?<=,\ )|(?<=:\ )|(?<=-\ )|(?<=–\ )|(?<=\()|(?<=\n)|^)(?:n\ ?°|numero)\ ?(?:1|un)\ (?:de|du|des|d'|en)(?=[\ '])
      | leaders?\ (?:europeen|mondial|national|francais|en\ france|en\ europe|dans\ son\ domaine|du\ secteur|du\ marche)
      # plus efficace que, moins dangereux que, supérieur à
      | plus\ {_BETTER}\ qu(?:e(?!\w)|')(?!\ ?(?:prevu|jamais|d'habitude|l'an|avant|auparavant|la\ normale|la\ moyenne|hier))
      | moins\ (?:dangereu(?:x|se|ses)|risquee?s?|toxiques?|douloureu(?:x|se|ses)|invasi(?:f|ve|fs|ves)|cher|chere|cheres|chers)\ qu(?:e(?!\w)|')
      | (?:le|la|les)\ plus\ (?:grande?s?|{_BETTER}|importante?s?|reconnue?s?|experimentee?s?|specialisee?s?|attracti(?:f|ve|fs|ves))\ (?:[\w-]+\ ){{0,4}}?{_GEO}
      | superieure?s?\ (?:a|au|aux)(?!\w)(?!\ (?:la\ |les\ |l')?(?:normales?|moyennes?|seuils?|saison|valeurs?|niveaux?|limites?|\d|un\ |une\ |celui|celle|ceux|celles|l'an|l'annee|la\ semaine|hier|avant|prevu|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|quarante|cinquante|soixante|cent|mille))
      | inegalee?s?|sans\ (?:egal|equivalent|pareil)|incomparables?|imbattables?|hors\ pair
      | surpass(?:e|ent|er|era|eront|ait)
      | (?:\d+|deux|trois|quatre|cinq|dix)\ fois\ (?:plus|moins)\ (?:{_BETTER}|dangereu(?:x|se|ses)|risquee?s?|toxiques?|douloureu(?:x|se|ses))
      # English
      | the\ best\ (?:hospitals?|care|treatments?|doctors?|surgeons?|teams?|cent(?:re|er)s?|units?|specialists?|experts?)
      | best\ (?:hospital|cent(?:re|er)|unit|team|care)\ in
      | best\ (?:[\w-]+\ ){{0,2}}?in\ (?:france|europe|the\ (?:world|region|country|west))
      | (?:better|more\ effective|safer|more\ accurate|more\ reliable)\ than(?!\ cure)
      | superior\ to|world[-\ ](?:leading|class)|unrivall?ed|second\ to\ none|number\ one|no\.\ ?1(?!\d)
      | leading\ (?:hospital|cent(?:re|er)|team)\ (?:in|of)
      | (?:the\ )?(?:first|only)\ (?:[\w-]+\ ){{0,3}}?in\ (?:france|europe|the\ (?:world|region|country|west))
    )(?:(?<=')|(?!\w))
    """
)
# "Les premiers cas de grippe en France": an epidemic fact, not a ranking. "Le seul
# numéro à retenir : le 15": a number, not a claim.
_NOT_A_RANKING = re.compile(
    r"(?<!\w)(?:cas|employeurs?|recruteurs?|patients?|symptomes?|signes?|episodes?|vagues?|pics?|jours?|semaines?|mois|alertes?|vigilances?|chaleurs?|temperatures?|numeros?|numbers?|cases?)(?!\w)"
)
_POSSIBLE = re.compile(r"[^.!?;\n]{0,25}?possibles?(?!\w)")


def _comparative_claims(text: str) -> Iterator[tuple[int, int]]:
    if without_stems(_COMPARATIVE_GATE, text):
        return
    folded = fold(text)
    for match in _COMPARATIVE.finditer(folded):
        start, end = match.span()
        claim = match.group()
        if (
            match.group("first") or match.group("only") or claim.startswith(("first", "the first", "only", "the only"))
        ) and _NOT_A_RANKING.search(claim):
            continue
        if "meilleur" in claim and _POSSIBLE.match(folded, end):
            continue
        if DENIED_BEFORE.search(sentence_before(folded, start, 25)):
            continue
        yield start, end


@rule("claim-comparative", Severity.WARNING)
def claim_comparative(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A superlative or comparative claim: the best, the only, number one, better than.

    Checks:
      Every published text for rankings and comparisons: le/la/les meilleur(e)s + a
      place or experts ("le meilleur hôpital", "les meilleurs spécialistes"), meilleur …
      de France, meilleur que; le seul / la seule … de France (or d'Europe, de la
      région …), "le seul centre à proposer …", unique en France; premier / première …
      en France, première mondiale/européenne/nationale; le n°1, numéro un, leader
      national; plus efficace / plus sûr / plus précis que, moins dangereux que,
      supérieur à (a treatment); inégalé, sans équivalent, incomparable, hors pair;
      in English the best hospital, better than, safer than, superior to, world-leading,
      number one, first … in France.
      Not flagged (decided): "pour la première fois au CHU" (a first for the house, not
      a ranking), "le seul numéro à retenir : le 15" and "un seul numéro : le 112"
      (a number, not a claim), "les premiers cas de grippe en France" (epidemic news),
      "la meilleure prise en charge possible" (an aim), "pour une meilleure prise en
      charge", "nos meilleurs vœux", "dans les meilleures conditions", "une
      température supérieure à 38 °C", "des températures supérieures aux normales",
      "plus rapide que prévu", "prevention is better than cure".

    Why:
      Code de la santé publique R5122-4: public information may not claim that a
      treatment is superior or equal to another. R4127-19-1: a doctor's communication
      is honest and not misleading; R4127-19: medicine is not practised as a commerce.
      A ranking the hospital cannot prove invites a correction in public.

    Fix:
      Give the verifiable fact behind the claim, with its source: "premier CHU certifié
      … par la HAS en 2026", "classé par …", "une technique décrite dans …".

    Examples:
      flagged:  "Le meilleur service de cardiologie de France."
      flagged:  "Une technique plus efficace que la chirurgie classique."
      passes:   "Pour la première fois au CHU d'Angers, une greffe réalisée par robot."
      passes:   "Le seul numéro à retenir en cas d'urgence : le 15."
    """
    for field_name, text in post.texts():
        for start, end in _comparative_claims(text):
            yield Problem(f"comparative or superlative claim: «{text[start:end]}»", field_name, (start, end))
