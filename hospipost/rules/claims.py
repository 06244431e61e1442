"""Medical claims: absolute promises, comparative or superlative claims, unsourced innovation.

Detection runs in two steps so that a clean post costs a few microseconds: a cheap
prefilter on the lowercased text (stems with their accented forms), then, only when a
stem is present, the precise patterns on the folded text (lowercase, no accents, plain
apostrophes and spaces, same offsets as the original; see ``_text.fold``). Patterns are
written in folded form: "guérison" is ``guerison``, "cœur" is ``cour``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.rules._text import any_of, fold, lowered_text
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext

# "100 %", "100%", "100 pour cent", "cent pour cent" (NBSP and narrow NBSP fold to spaces).
_P100 = r"(?:100\ ?%|100\ ?pour\ ?cents?|cent\ pour\ cent|100\ ?percent)"  # for (?x) patterns

# --- claim-absolute -----------------------------------------------------------------

# Stems, one of which every absolute claim contains once lowercased (accented or not):
# `in` tests on the lowercased text are cheaper than a regex alternation.
_ABSOLUTE_STEMS = (
    "guér",
    "guer",
    "mirac",
    "100",
    "cent pour",
    "efficac",
    "risqu",
    "danger",
    "effet",
    "garanti",
    "inoffensi",
    "infail",
    "risk",
    "effect",
    "cure",
    "safe",
    "harmless",
    "fool",
    "heals",
    "guarant",
    "infall",
    "rid of",
)
_ABSOLUTE_GATE = any_of(_ABSOLUTE_STEMS)

_ABSOLUTE = re.compile(
    rf"""(?x)
    (?<![\w-])(?:
        # French: the verb "to cure" in the present, future or conditional
        gueri(?:t|ssent|ssons|ssez|ra|ront|rait|raient)
      | (?:permet|permettent|permettra|permettre|promet|promettent|garantit|assure)\ de\ guerir
      | guerir\ (?:definitivement|a\ coup\ sur|a\ tous\ les\ coups|totalement|completement|a\ 100)
      | (?:garantie|assurance|promesse|certitude)s?\ de\ guerison
      | guerisons?\ (?:\w+\ )?(?:garantie|assuree|certaine|systematique|a\ coup\ sur)s?
      | (?:taux\ de\ )?guerison\ (?:de\ |a\ )?{_P100}
      | miracles?|miraculeu(?:x|se|ses|sement)
      # "100 % efficace", "efficace à 100 %", "100 % de guérison", "100 % sûr"
      | {_P100}\ (?:efficaces?|d'efficacite|de\ guerisons?|de\ succes\ therapeutique|sans\ (?:risques?|dangers?|effets?))
      | {_P100}\ sur(?:e|s|es)?(?![\w-])(?!\ ?(?:rendez|rdv|place|inscription|reservation|le\ |la\ |les\ |l'|un\ |une\ |des\ |ce\ |cette\ |votre\ |vos\ |nos\ |notre\ |internet|\d))
      | (?:efficaces?|efficacite|sure?s?|fiables?|prouvee?s?|garantie?s?)\ (?:a|de)\ {_P100}
      | (?:totalement|parfaitement|absolument|completement|entierement)\ (?:efficaces?|inoffensi(?:f|ve|fs|ves))
      # no risk, no danger, no side effects
      | (?P<safe>(?:sans|zero)\ (?:aucun\ |aucune\ |le\ moindre\ )?(?:risques?|dangers?))(?!\ de\ (?:se|me|te|nous|vous)\ tromper)
      | (?<!prenez\ )(?<!prendre\ )(?<!courez\ )(?<!courir\ )aucun\ (?:risque|danger)
      | risques?\ (?:zero|nul|inexistant)s?
      | (?:(?:sans|aucune?s?|zero|ni)\ (?:aucune?\ )?|pas\ d'|jamais\ d')effets?\ (?:secondaires?|indesirables?)
      | inoffensi(?:f|ve|fs|ves)|infaillibles?|infailliblement
      | (?:efficacite|resultats?|succes|soulagement|guerison|effets?)\ garanti(?:e|s|es)?
      | garanti(?:e|s|es)?\ sans\ (?:risques?|dangers?|effets?)
      # English
      | (?:it|that|which|this|treatment|therapy|drug|pill|vaccine|procedure|surgery|method|medicine)\ (?:cures|will\ cure|can\ cure|heals)
      | cures\ (?:cancer|diabetes|depression|arthritis|obesity|all|everything|any|every|your|you)
      | (?:guaranteed|miracle)\ (?:cure|recovery|healing)s?
      | (?:cure|recovery|results?|success|healing)\ guaranteed
      | guaranteed\ (?:results?|success|to\ (?:work|cure|heal))
      | heals\ (?:everything|all|any)
      | risk[-\ ]free|zero[-\ ]risk|no\ risks?(?!\ factors?)|without\ (?:any\ )?risks?|free\ (?:of|from)\ risks?
      | {_P100}\ (?:effective|safe|success(?:ful)?|cure)
      | (?:effective|safe)\ (?:at\ )?{_P100}
      | (?:no|zero|without\ (?:any\ )?|free\ (?:of|from)\ )\ ?side[-\ ]effects?
      | (?:completely|totally|perfectly|absolutely|entirely)\ (?:safe|harmless|effective|risk[-\ ]free)
      | infallible|foolproof|fool-proof
    )(?![\w])
    """
)

# English cures promised by a provider or with a deadline; searched only in texts that say
# "cure" or "rid of" (the main pattern stays short for the other texts).
_ENGLISH_CURE = re.compile(
    rf"""(?x)(?<![\w-])(?:
        (?:clinic|centre|center|programme|program|technique|approach|app|device|cream|supplement|acupuncture|hypnosis
         |diet|session|sessions|exercise|protocol|team|we)\ (?:cures|will\ cure|can\ cure|heals|cured|will\ heal|can\ heal)
      | (?:it|that|which|this|treatment|therapy|drug|pill|vaccine|procedure|surgery|method|medicine)\ (?:cured|will\ heal|can\ heal)
      # "cures back pain in three sessions": a cure with a deadline
      | (?:cures?|cured|gets?\ rid\ of)\ (?:(?!most\b|many\b|some\b|usually|often|generally|typically)[^.!?;\n]){{1,60}}?
        \ (?:in|within|after)\ (?:just\ |only\ |as\ few\ as\ |a\ single\ |a\ )?
        (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a\ few|few|single)
        \ (?:sessions?|treatments?|visits?|appointments?|days?|weeks?|months?|minutes?|hours?|consultations?|injections?|doses?)
      | (?:cures?|cured|heals?|healed)\ {_P100}\ of
      | {_P100}\ of\ (?:\w+\ )?(?:patients|cases|people|participants|users|clients)\ (?:\w+\ )?(?:are|were|get|got)\ (?:cured|healed)
    )(?![\w])"""
)

# A claim quoted to be denied is prevention, not promotion: "il n'existe pas de remède
# miracle", "aucun traitement n'est sans risque", "le risque zéro n'existe pas".
_DENIED_BEFORE = re.compile(
    r"(?<![\w'])(?:pas|aucun|aucune|jamais|ni|mefiez|mefie|mefiance|mefier|attention|gare|prudence|"
    r"mythes?|faux|fausses?|idees? recues?|fake|no|not|never|beware|myths?|false|isn't|aren't|doesn't|don't|"
    r"careful|wary)(?![\w'])"
)
# Matched at the end of the claim: "… n'existe pas", "… n'a été observé" (a study's
# finding), a question, "guérit-il".
_DENIED_AFTER = re.compile(
    r"[^.!?;\n]{0,40}?(?:n'existe|n'est pas|ne sont pas|est un mythe|sont des mythes|"
    r"does ?n[o']t exist|is a myth|are myths|est impossible|illusoire|"
    r"n'(?:a|ont) ete (?:observ|signal|rapport|constat|notifi|declar|detect|mis en evidence)|"
    r"(?:was|were|has been|have been) (?:observed|reported|detected|found))|[^.!:;\n]{0,30}\?|\s*-(?:t-)?(?:il|elle|ils|elles|on)(?!\w)"
)
_NOT_CURED = re.compile(r"\s+(?:pas|jamais|plus|point|que|qu')(?!\w)")  # "ne guérit pas", "ne guérit que …"
# "Détecté tôt, le cancer colorectal se guérit dans 9 cas sur 10" (INCa): a figure, not a promise.
_QUANTIFIED = re.compile(
    r"[^.!?;\n]{0,40}?(?:\d+ (?:cas |fois )?sur \d+|\d+ ?%|la plupart|majorite|souvent|frequemment|"
    r"dans (?:\w+ )?(?:des |les )?cas|plus de|davantage|most|often|more)"
)
# "Jardiner sans danger", "prendre son traitement sans risque": how to do something safely
# (prevention), not a property claimed for a treatment ("un examen sans risque").
_HOW_TO_BEFORE = re.compile(
    r"(?<![\w'])(?!(?:cancer|laser|dossier|hiver|premier|dernier|quartier|fichier|clavier|centre|membre|chambre|"
    r"procedure|structure|cure|offre|lettre|notre|votre|autre|entre|contre)\b)"
    r"(?:\w+(?:er|ir)|\w*(?:prendre|faire|vivre|boire|suivre|conduire|lire|mettre|dire))(?:\s+[\w']+){0,3}?\s*$"
)
_HUNDRED = re.compile(rf"(?x){_P100}|\b(?:tous|toutes)\ (?:les|nos|ses)\ (?:patients|malades|cas|personnes)")
# "100 % des patients sont guéris", "tous les patients guérissent": an absolute in the same sentence.
_ALL_CURED = re.compile(
    rf"""(?x)(?<![\w-])(?:{_P100}|tous|toutes)\ (?:des\ |les\ |nos\ |de\ nos\ )(?:\w+\ ){{0,2}}?
    (?:patients|patientes|malades|cas|personnes|participants|participantes|enfants|utilisateurs|beneficiaires)
    [^.!?;\n]{{0,40}}?(?<![\w-])(?:sont\ |ont\ ete\ |seront\ |en\ sortent\ )?(?:gueri(?:e|s|es|ssent|ront)|guerison)(?![\w])"""
)
_CLAUSE_START = re.compile(r"[.!?;:\n«»\"()]")


def _overlap(one: re.Match[str], other: re.Match[str]) -> bool:
    return one.start() < other.end() and other.start() < one.end()


def _figure_after(folded: str, end: int) -> bool:
    """A figure after "guérit" makes a statistic ("9 cas sur 10"), unless it is 100 %: "guérit
    100 % des patients" is the absolute claim itself."""
    figure = _QUANTIFIED.match(folded, end)
    return figure is not None and not _HUNDRED.search(figure.group())


def _sentence_before(folded: str, start: int, width: int = 45) -> str:
    before = folded[max(0, start - width) : start]
    cut = max((m.end() for m in _CLAUSE_START.finditer(before)), default=0)
    return before[cut:]


def _absolute_claims(text: str) -> Iterator[tuple[int, int]]:
    if not _ABSOLUTE_GATE.search(lowered_text(text)):
        return
    folded = fold(text)
    matches = list(_ABSOLUTE.finditer(folded))
    if "cure" in folded or "rid of" in folded:
        matches += [m for m in _ENGLISH_CURE.finditer(folded) if not any(_overlap(m, other) for other in matches)]
        matches.sort(key=lambda match: match.start())
    for match in matches:
        start, end = match.span()
        before = _sentence_before(folded, start)
        if _DENIED_BEFORE.search(before) or _DENIED_AFTER.match(folded, end):
            continue
        if match.groupdict().get("safe") and _HOW_TO_BEFORE.search(before):
            continue
        if "gueri" in match.group() and (_figure_after(folded, end) or _NOT_CURED.match(folded, end)):
            continue
        yield start, end
    for match in _ALL_CURED.finditer(folded) if "gueri" in folded else ():
        start, end = match.span()
        before = _sentence_before(folded, start)
        if not (_DENIED_BEFORE.search(before) or _DENIED_AFTER.match(folded, end)):
            yield start, end


@rule(
    "claim-absolute",
    Severity.ERROR,
    fix="Describe the expected benefit with its limits and its source; remove guarantees of cure, safety or efficacy.",
)
def claim_absolute(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A promise of certain cure, total efficacy or zero risk.

    Checks:
      Every published text (text, variants, thread, alt texts) for wording that presents
      a result as certain or a treatment as harmless: guérit, guérison garantie/assurée,
      miracle/miraculeux, 100 % efficace, efficace à 100 %, 100 % de guérison, sans
      risque, zéro risque, risque zéro, aucun danger, sans danger, inoffensif, sans effets
      secondaires/indésirables, infaillible, efficacité/résultats garantis; in English
      cures, miracle, risk-free, no side effects, 100% effective, guaranteed results,
      completely safe, foolproof, a cure with a deadline ("cures back pain in three
      sessions"). "guérit" followed by 100 % ("guérit 100 % des patients") and "100 %
      des patients sont guéris" are absolute, not figures. Accents, capitals, typographic apostrophes and
      non-breaking spaces ("100 %") do not matter.
      Not flagged: a claim quoted to deny it ("il n'existe pas de régime miracle",
      "aucun traitement n'est sans risque", "le risque zéro n'existe pas"), a question
      ("Un traitement miracle ?"), a figure ("se guérit dans 9 cas sur 10"), and other
      uses of the same words ("remboursé à 100 %", "pris en charge à 100 %", "100 % des
      patients", "sans rendez-vous", "sans dépassement d'honoraires", "ne prenez aucun
      risque", "100 % sur rendez-vous").

    Why:
      Code de la santé publique R5122-4: public information may not suggest an assured
      effect, the absence of adverse effects, nor cite "attestations de guérison".
      R4127-13: a doctor informing the public reports only confirmed data, with
      prudence; R4127-19-1: communication must be honest and not misleading. An
      over-promise about care is also the classic "bad buzz" for a hospital.

    Fix:
      State what is known, with its limits and its source ("réduit le risque de …
      selon l'étude …", "les effets indésirables les plus fréquents sont …").

    Examples:
      flagged:  "Ce nouveau traitement guérit l'arthrose, sans effets secondaires."
      flagged:  "Une technique 100 % efficace et sans risque."
      passes:   "Ce traitement réduit la douleur chez 7 patients sur 10 (étude 2026)."
      passes:   "Il n'existe pas de régime miracle : parlez-en à votre médecin."
    """
    for field_name, text in post.texts():
        for start, end in _absolute_claims(text):
            yield Problem(f"absolute medical claim: «{text[start:end]}»", field_name, (start, end))


# --- claim-comparative --------------------------------------------------------------

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
    if not _COMPARATIVE_GATE.search(lowered_text(text)):
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
        if _DENIED_BEFORE.search(_sentence_before(folded, start, 25)):
            continue
        yield start, end


@rule(
    "claim-comparative",
    Severity.WARNING,
    fix="Replace the ranking or comparison with a verifiable fact and its source (a published study, an official accreditation).",
)
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


# --- claim-innovation ---------------------------------------------------------------


@rule(
    "claim-innovation",
    Severity.ERROR,
    fix="Add `source:` with the evidence (a publication, a trial registration, an evaluation report, an official page).",
)
def claim_innovation(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """An innovation post without a source for its evidence.

    Checks:
      A post with `kind: innovation` must carry `source:`, the evidence behind the news:
      a publication, a clinical trial registration, an evaluation report, a HAS or Santé
      publique France page. The source is for the reviewers and the record; it is not
      published. Other kinds are not checked (health advice is encouraged to link its
      source, see alert-official-link for alerts).

    Why:
      Code de la santé publique R4127-14: a new procedure that is not sufficiently proven
      must not be disclosed to the non-medical public without the necessary
      reservations; R4127-13: only confirmed data, with prudence. The Ordre des médecins'
      charter asks that sources and references be indicated.

    Fix:
      Add `source: https://…` (or a reference such as "Pediatr Radiol 2026;56:120").

    Examples:
      flagged:  kind: innovation, text: "Le babicoc, un cocon pour l'IRM des nourrissons …" (no source)
      passes:   the same post with `source: https://espaceinfirmier.fr/…/des-bebes-dans-leur-bulle.html`
    """
    if post.kind == "innovation" and not (post.source or "").strip():
        yield Problem("innovation post without a `source:` for its evidence", None)
