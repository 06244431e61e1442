"""a11y-hashtag-case: multi-word hashtags in CamelCase, so screen readers read them as words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from hospipost.rules._a11y import texts_besides_alt_texts
from hospipost.rules._text import find_urls, fold
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext

# A hashtag: '#' not inside a word, a URL fragment or an HTML entity, then word characters.
_HASHTAG = re.compile(r"(?<![\w&#/])#([^\W_]\w*)")
# Folded (lowercase, unaccented) words a hashtag is made of in French or English hospital
# communication, used to find where an all-lowercase or all-caps hashtag splits into
# words. A plural -s/-x is accepted on any of them. Whole words that contain other words
# (radiotherapie, transplantation…) are listed so that they are not split.
_WORDS = frozenset(
    """
    a au aux de des du en et la le les l d un une pour par sur sous avec sans contre chez dans vers entre
    apres avant tous toutes tout toute notre nos votre vos leur leurs mon ma mes ton ta ses son sa ce cet
    cette ces qui que quoi ou plus moins tres bien bon bonne bonnes grand grande grands petit petite
    nouveau nouvelle nouvel jeune jeunes vieux ensemble unis unies solidaire solidaires fier fiere fiers
    merci bravo bienvenue felicitations ensemble aussi encore toujours jamais ici maintenant demain
    semaine mois jour jours journee journees annee an ans heure heures nuit soir matin ete hiver automne
    printemps janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
    lundi mardi mercredi jeudi vendredi samedi dimanche noel paques rentree vacances
    mondiale mondial nationale national internationale international europeenne europeen regionale
    regional locale local publique public privee prive rose bleu bleue vert verte blanc blanche rouge
    jaune orange violet noir noire or argent
    sante securite patient patiente patients soin soins soignant soignante soignants soignantes
    hopital hopitaux hospitalier hospitaliere hospitalisation chu chru ch chr ght clinique centre
    service services pole unite equipe equipes personnel personnels medecin medecins medecine
    infirmier infirmiere infirmiers infirmieres aide aides soignant sage femme sages femmes
    kine kinesitherapeute kinesitherapie pharmacien pharmacienne pharmacie pharmacovigilance
    chirurgien chirurgie chirurgical chirurgicale anesthesie anesthesiste anesthesiologie
    reanimation urgence urgences urgentiste samu smur secours premiers gestes geste qui sauvent
    sauve sauver vie vies mort deces naissance naissances bebe bebes enfant enfants enfance ado ados
    adolescent adolescents adolescence parent parents famille familles mere meres pere peres maman
    papa grossesse maternite pediatrie neonatologie prematures premature senior seniors age ages
    personne personnes agee agees aine aines handicap handicape handicapes autisme alzheimer
    parkinson sclerose plaques diabete obesite cancer cancers tumeur leucemie sein seins prostate
    colon colorectal poumon poumons coeur cardiaque cardiologie cerveau avc rein reins dialyse greffe
    greffes don dons donneur donneurs donneuse sang plasma plaquettes moelle osseuse organe organes
    tissu tissus vaccin vaccins vaccination vacciner grippe covid coronavirus virus bronchiolite
    rougeole hepatite hepatites vih sida tuberculose paludisme infection infections hygiene mains
    lavage masque masques gel prevention depistage diagnostic traitement therapie innovation
    innovations recherche chercheur chercheurs chercheuse essai essais clinique cliniques science
    sciences decouverte progres technologie numerique robot robotique imagerie irm scanner radio
    radiologie radiotherapie chimiotherapie physiotherapie psychotherapie psychiatrie pedopsychiatrie
    psychologie psychologue mentale mental sommeil nutrition alimentation sport sportif activite
    physique tabac alcool addiction addictions addictologie drogue drogues douleur douleurs
    fin palliatif palliatifs palliative palliatives transplantation orthopedie ophtalmologie
    dermatologie gynecologie neurologie neurochirurgie oncologie hematologie geriatrie urologie
    gastroenterologie pneumologie endocrinologie rhumatologie nephrologie otorhinolaryngologie
    canicule chaleur chaleurs fortes forte grandes froid grand froid pollution air eau
    alerte alertes risque risques danger vigilance bons reflexes reflexe conseil conseils
    emploi emplois recrutement recrute recrutons metier metiers carriere carrieres job jobs stage
    stages stagiaire etudiant etudiants etudiante etudiantes ecole ecoles formation formations
    universite universitaire fac ifsi interne internes externe externes
    accueil visite visites porte portes ouverte ouvertes ouvert inauguration festival musique fete
    concert exposition conference colloque congres forum salon rencontre rencontres evenement
    atelier ateliers course marche marathon defi challenge campagne operation mobilisation
    sensibilisation information informations infos info actu actualite actualites news
    hospilike babicoc angers cholet saumur nantes laval le mans paris france anjou loire pays
    maine ouest bretagne europe monde
    week day month year world health safety patient patients care nurse nurses nursing doctor
    doctors hospital hospitals research science innovation team teams staff thank thanks you
    we are our your all together proud hiring jobs career careers join us life lives save safe
    stay home hand hands hygiene mental awareness breast cancer heart blood donor donors donation
    healthcare wellbeing organ organs vaccine vaccines flu kids children child women woman men man mother mothers
    baby babies birth family families day night summer winter heat wave new open doors first
    aid emergency emergencies help kindness love hope
    """.split()
)
# A hashtag this long is several words even when they are not in the list above.
_LONG_UNSPLIT = 24
# Pieces written in capitals in the suggested CamelCase (#CHUAngers, #DonDuSang).
_ACRONYM_PIECES = frozenset("chu chru ch chr ght samu smur irm avc vih sida ars has ifsi ehpad".split())


@lru_cache(maxsize=4096)
def split_hashtag(body: str) -> tuple[str, ...] | None:
    """The words an all-lowercase or all-caps hashtag body is made of, or None.

    None when the body is one known word or cannot be split into known words (a plural
    -s/-x allowed on each, digits kept as their own pieces); the split with the fewest
    pieces wins.
    """
    folded = fold(body)
    if _word(folded) or not folded.isalnum():
        return None
    # best[i]: the fewest pieces covering folded[:i], as (count, pieces)
    best: list[tuple[int, tuple[str, ...]] | None] = [None] * (len(folded) + 1)
    best[0] = (0, ())
    for start in range(len(folded)):
        current = best[start]
        if current is None:
            continue
        if folded[start].isdigit():
            end = start
            while end < len(folded) and folded[end].isdigit():
                end += 1
            ends = [end]
        else:
            ends = [e for e in range(start + 1, min(len(folded), start + 26) + 1) if _word(folded[start:e])]
        for end in ends:
            candidate = (current[0] + 1, current[1] + (body[start:end],))
            if best[end] is None or candidate[0] < best[end][0]:  # type: ignore[index]
                best[end] = candidate
    found = best[len(folded)]
    if found is None:
        return None
    words = [piece for piece in found[1] if not piece.isdigit()]
    return found[1] if sum(len(word) >= 3 for word in words) >= 2 else None


def _word(folded: str) -> bool:
    return folded in _WORDS or (len(folded) > 3 and folded[-1] in "sx" and folded[:-1] in _WORDS)


@lru_cache(maxsize=4096)
def hashtag_problem(body: str) -> str | None:
    """The CamelCase a hashtag should be written in when it is not readable as is, or None."""
    letters = [c for c in body if c.isalpha()]
    if len(letters) < 6:
        return None
    upper = [c.isupper() for c in letters]
    if any(upper[1:]) and not all(upper):
        return None  # already CamelCase/camelCase (or some capitals: trust the author)
    words = split_hashtag(body)
    if words:
        return "".join(
            word.upper() if fold(word) in _ACRONYM_PIECES else word[:1].upper() + word[1:].lower() for word in words
        )
    if len(letters) >= _LONG_UNSPLIT:
        return ""  # several words, which ones is for the author to say
    return None


@rule("a11y-hashtag-case", Severity.WARNING)
def a11y_hashtag_case(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """Multi-word hashtags are written in CamelCase, so screen readers read them as words.

    Checks:
      Hashtags written all in lowercase (#semainesecuritepatients), all in capitals
      (#SEMAINESECURITEPATIENTS) or with only their first letter capitalised, that are
      made of several words. Heuristic: the hashtag (6 letters or more) splits into
      known French or English words of hospital communication, at least two of them of 3
      letters or more, and is not itself a known word (#radiotherapie, #covid19, #CHU,
      #Angers, #santé pass); or it has 24 letters or more. Reported once per hashtag.

    Why:
      A screen reader reads #semainesecuritepatients as one unpronounceable word, and
      #SemaineSecuritePatients as three words; CamelCase is also easier for everyone to
      read. Sources: Access42, "Hashtags accessibles" (access42.net); choblab.com;
      loi n°2005-102 art. 47 (accessibility of public bodies' communication).

    Fix:
      Start each word with a capital: #SemaineSécuritéPatients, #OctobreRose,
      #DonDuSang; accents may stay.

    Examples:
      #octobrerose → #OctobreRose; #DONDUSANG → #DonDuSang; #CHUAngers, #Canicule,
      #covid19 and #IRM are fine.
    """
    seen: set[str] = set()
    for field, text in texts_besides_alt_texts(post):
        if "#" not in text:
            continue
        for match in _HASHTAG.finditer(text):
            body = match.group(1)
            if body in seen or _inside_url(text, match.start()):
                continue
            seen.add(body)
            camel = hashtag_problem(body)
            if camel is None:
                continue
            advice = f"write it #{camel}" if camel else "start each of its words with a capital"
            yield Problem(
                f"Hashtag #{body} is read as one word by screen readers: {advice}.",
                field=field,
                span=match.span(),
            )


def _inside_url(text: str, position: int) -> bool:
    # A hashtag after whitespace (or at the start) begins its own token: not in a URL.
    if position == 0 or text[position - 1].isspace():
        return False
    return any(start <= position < end for start, end, _ in find_urls(text))
