"""pii-patient-name: a named person in a care context (a patient who can be identified)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hospipost.rules._consent import consent_problem
from hospipost.rules._text import any_of, fold, lowered_text, without_stems
from hospipost.rules.contracts import Problem, Severity, rule

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zà-öø-ÿœ"
_WORD = rf"[{_UP}][{_LOW}]+"
# Gender and plural marks, inclusive writing included (folded text): é, ée, és, é·e, é·e·s, é.e, é(e)
_G = r"(?:e|[·•.\-]e|\(e\))?(?:s|[·•.\-]s|\(s\))?"

# Common first names (France, French-speaking and English-speaking countries). Left out on
# purpose: names that are also ordinary words, feasts, months, places or campaigns (Rose,
# Marine, Blanche, Noël, Ange, France, Florence, Nancy, Sofia, April, May, June, Grace,
# Hope…) and names mostly met as surnames (Martin, Bernard).
FIRST_NAMES = frozenset(
    """
    Adam Adèle Adrien Agathe Agnès Aicha Aïcha Albert Alexandre Alexandra Alexis Alice Aline Alix Amandine Amélie
    Amine Amir Anaïs Andrée André  Angélique Anna Anne Annie Annette Antoine Antoinette Apolline Armand Arnaud
    Arthur Audrey Augustin Aurélie Aurélien Axel Aya Baptiste Basile Béatrice Benjamin Benoît Bérénice Bernadette
    Bertrand Bilal  Brigitte Bruno Camille Capucine Carine Carole Caroline Catherine Cécile Céline Chantal
    Charles Charlie Charlotte Chloé Christelle Christiane Christine Christophe Claire Clara Claude Claudine Clément
    Clémentine Coline Colette Corentin Cyril Damien Daniel Danielle Daniele David Delphine Denis Denise Didier
    Dominique Dylan Édith Edith Edouard Édouard Éléonore Eliott Élise Elise Éloïse Elsa Éloi Emma Emmanuel Emmanuelle
    Émile Emile Émilie Emilie Enzo Éric Eric Ethan Étienne Eugène Eugénie Evan Éva Eva Évelyne Fabien Fabienne
    Fabrice Fanny Fatima Fatou Félix Fernand Fernande Florian Francis Franck François Françoise Frédéric
    Frédérique Gabin Gabriel Gabrielle Gaël Gaëlle Gaston Geneviève Georges Georgette Gérard Germaine Ghislaine
    Gilbert Gilles Ginette Gisèle Guillaume Gustave Guy Hamza Hélène Henri Henriette Hervé Hugo Hugues Ibrahim Inès
    Ines Irène Isabelle Jacqueline Jacques Jade Jean Jeanne Jeannine Jérémy Jérôme Joël Joëlle Johan Jonathan
    Joseph Josette Josiane Julia Julie Julien Juliette Jules Justine Karim Karima Kenza Kevin Laetitia Laëtitia
    Lana Laura Laure Laurence Laurent Léa Léna Léo Léon Léonie Lina Lisa Lise Lola Lou Louane Louis Louise Luc
    Luca Lucas Lucette Lucie Lucien Lucienne Lyna Madeleine Maël Maëlle Maëlys Malika Manon Marc Marcel Marcelle
    Margaux Margot Marguerite Maria Marie Marius Marthe Mathéo Mathias Mathieu Mathilde Matthieu Maurice
    Max Maxime Mehdi Mélanie Mélissa Michel Michèle Micheline Mila Mohamed Mohammed Monique Morgane Moussa Muriel
    Myriam Nadia Nadine Nathalie Nathan Nicolas Nicole Noa Noah Noé  Noémie Nora Odette Olivier Océane Paul
    Paule Paulette Pascal Pascale Patrice Patricia Patrick Pauline Philippe Pierre Quentin Rachid Raphaël Raymond
    Raymonde Rayan Rémi Rémy René Renée Robert Roger Romain Romane Romy Sacha Salomé Samia Samir Samuel Sandrine
    Sarah Sara Sébastien Serge Simon Simone  Sophie Stéphane Stéphanie Suzanne Suzette Sylvain Sylvie Tom
    Théo Théa Thérèse Thierry Thomas Timéo Timothée Tristan Valentin Valentine Valérie Véronique Victor Vincent
    Virginie Xavier Yacine Yann Yannick Yasmine Yvette Yves Yvonne Zélie Zoé
    Amy Andrew Barbara Betty Brian Charlotte Daniel Dorothy Elizabeth Emily George Harry Helen Jack James Jane
    Jennifer Jessica John Karen Linda Margaret Mary Michael Oliver Olivia Patricia Peter Richard Sarah Steven
    Susan William
    """.split()
)

# Famous people and people hospitals, streets and prizes are named after.
FAMOUS = frozenset(
    """
    Pasteur Curie Larrey Laennec Laënnec Broca Bichat Necker Cochin Paré Debré Trousseau Tenon Beaujon Bretonneau
    Veil Nightingale Hippocrate Freud Dunant Pinel Calmette Calmettes Jenner Fleming Koch Semmelweis Monnet Pompidou
    Mitterrand Gaulle Verne Moulin Jaurès Zola Schweitzer Montessori Dolto Vinci Bernard Roussy Bérard Mondor
    Béclère Rothschild Perrin Lambret Regaud Becquerel Bergonié Godinot Strauss Vautrin Lacassagne Baclesse Paoli
    Poincaré Brousse Pellegrin Purpan Rangueil Mignot Monod Herriot Wertheimer Montpied Dupuytren Nicolle Michallon
    Lapeyronie Carémeau Villeneuve Foch Bicêtre Lariboisière Salpêtrière Charcot Descartes Voltaire Molière
    Rabelais Camus Proust Mozart Marquis Godinot Leclerc Macron Chirac Jospin Sarkozy Hollande
    """.split()
)

# Diseases, signs and scores named after people: "la maladie d'Alzheimer", "les patients Parkinson".
EPONYMS = frozenset(
    """
    Alzheimer Parkinson Crohn Charcot Huntington Hodgkin Lyme Down Asperger Kawasaki Basedow Hashimoto Guillain
    Barré Creutzfeldt Jakob Tourette Verneuil Paget Addison Cushing Raynaud Ménière Horton Willebrand Wilson
    Marfan Turner Rett Dravet Duchenne Steinert Behçet Sjögren Kaposi Burkitt Ewing Wilms Gaucher Fabry Pompe
    Recklinghausen Angelman Prader Willi Ehlers Danlos Gehrig Apgar Glasgow Heimlich Still Bouveret Lewy Korsakoff
    Alport Klinefelter Tarlov Dupuytren Osgood Scheuermann Legg Perthes Fallot Hirschsprung Menkes Pick Niemann
    Covid Ebola Zika Mpox Omicron
    """.split()
)

# Opens on the literal "M" so that the regex engine skips ordinary text fast; the boundary
# before it is checked in code.
_CIVILITY = re.compile(
    rf"(?P<civ>M(?:\.|M\.|mes?|lle|rs?\.?|s\.?|onsieur|adame|ademoiselle|iss))\s+"
    rf"(?:[{_UP}]\.\s?)?(?P<name>[{_UP}][\w'’-]*(?:\s+(?:de\s+|du\s+|d['’]|le\s+|la\s+)?[{_UP}][\w'’-]+)?)"
)
# A capitalised word (the boundary before it is checked in code: the regex opens on a class).
_CAPITALISED = re.compile(rf"[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?")
_WORD_RE = re.compile(rf"[{_UP}][{_LOW}]+")
_LAST = re.compile(rf"\s+(?:(?:de|du|le|la|van|von|d['’])\s?)?[{_UP}][\w'’]+(?:-[{_UP}][\w'’]+)?")
# "84 ans", "(âgée de 84 ans)", "aged 82", and the bare age of English news style: "John Smith, 67,".
_AGE_ANYWHERE = re.compile(
    r"[,(]\s*(?:[aâ]g[ée]e?\s+de\s+|aged\s+)?[0-9]{1,3}(?:\s*(?:ans|mois|years?)|,|\)|\s+(?:from|on|of|in)\s)"
)
_CHILD = re.compile(
    rf"(?:\b(?:[Ll]a|[Ll]e|[Nn]otre|[Cc]ette|[Cc]e)\s+(?:petite?|jeune)|\b(?:[Bb][ée]b[ée]|[Ll]ittle|[Bb]aby))"
    rf"\s+(?P<name>[{_UP}][{_LOW}]+)"
)
_PATIENT_NAMED = re.compile(
    rf"[PpRr](?:atiente?|atient·e|[ée]sidente?)\s+(?P<name>[{_UP}][{_LOW}]+(?:\s+[{_UP}][\w'’-]+)?)"
)
# "Jeanne Martin, 84 ans", "John Smith, 67,"
_AGE_AFTER = re.compile(
    r"\s*[,(]\s*(?:[aâ]g[ée]e?\s+de\s+|aged\s+)?[0-9]{1,3}\s*(?:ans|mois|years?(?:\s+old)?|,|\)|(?=\s+(?:from|on|of|in)\s))"
)

_ROLE = (
    r"dr|dre|pr|pre|docteure?|professeure?|prof|infirmier|infirmiere|infirmier·e|ide|ibode|iade|sage-femme|maieuticien"
    r"|chirurgien(?:ne)?|medecin|cadre|interne|externe|aide-soignante?|kine|kinesitherapeute|psychologue"
    r"|pharmacien(?:ne)?|preparat(?:eur|rice)|directeur|directrice|dg|president(?:e)?|vice-president(?:e)?|maire"
    r"|adjointe?|ministre|deputee?|senat(?:eur|rice)|prefete?|doyen(?:ne)?(?!\s+(?:de\s+(?:l'ehpad|la\s+residence|la\s+maison|notre|nos)|des\s+residents))|chef(?:fe)?|responsable|coordinat(?:eur|rice)"
    r"|referente?|nurse|doctor|surgeon|professor|consultant|midwife|matron|chaplain|aumonier|benevole|volunteer"
    r"|secretaire|manager|ambassad(?:eur|rice)|parrain|marraine|artiste|chanteu(?:r|se)|auteur|autrice|ecrivain"
    r"|journaliste|photographe|champion(?:ne)?|joueu(?:r|se)|entraineur|entraineuse|capitaine|sporti(?:f|ve)"
    r"|athlete|comedien(?:ne)?|acteur|actrice|animat(?:eur|rice)|collegue|agent|praticien(?:ne)?|phd|chercheu(?:r|se)"
    r"|ingenieure?|technicien(?:ne)?|manipulat(?:eur|rice)|orthophoniste|orthoptiste|dieteticien(?:ne)?"
    r"|educat(?:eur|rice)|puericult(?:eur|rice)|auxiliaire|anesthesiste|radiologue|[a-z]+logue|[a-z]+iatre"
    r"|brancardier|ambulancier|assistante?|representante?|porte-parole|fondat(?:eur|rice)|laureate?"
    r"|etudiante?|eleve|stagiaire|internes?|sapeur-pompier|pompier|gendarme|policier|conseill(?:er|ere)|elue?"
    r"|temoin|donneu(?:r|se)|mecene|head|director|chief|ceo|speaker|intervenant(?:e)?"
)
# Words that name a group, not the person: a role after the name only ("Julie, membre de l'équipe").
_GROUP_ROLE = r"equipe|team|staff|member|membre"
# A role just before the name: "le Pr Jean Martin", "l'infirmière Sophie", "notre cadre Julie".
_ROLE_BEFORE = re.compile(rf"\b(?:{_ROLE})\.?(?:\s+(?:de|du|des|en|d'|la|le|l')\s*[a-z'-]+){{0,3}}[\s,:]+$")
# A role right after it: "Sophie, infirmière en réanimation", "M. Dupont, directeur général".
_ROLE_AFTER = re.compile(
    rf"\s*(?:,|\(|–|-|—)\s*(?:(?:notre|votre|la|le|l'|un|une|our|the|a|an|nouvel(?:le)?|new)\s*)?"
    rf"(?:[a-z-]+\s+)?(?:{_ROLE}|{_GROUP_ROLE})\b"
)
# Hospitals, streets, prizes, places named after a person, and eponymous diseases.
_PLACE_BEFORE = re.compile(
    r"\b(?:hopital|hopitaux|clinique|centre|institut|fondation|lycee|college|ecole|rue|avenue|bd|boulevard|place"
    r"|pavillon|batiment|salle|amphitheatre|amphi|residence|ehpad|maison|espace|site|prix|bourse|association|universite"
    r"|faculte|pole|unite|service|groupe\s+hospitalier|gh|ch|chu|chr|ghu|saint|sainte|st|ste|square|quai|allee|impasse"
    r"|chemin|cours|parc|stade|gare|campus|hall|aile|bloc|hotel-dieu|hotel|maladie|syndrome|sclerose|choree|signe|test"
    r"|echelle|score|methode|technique|manoeuvre|procedure|plan|loi|pathologie|atteinte?s?\s+(?:de|d'|du)|type"
    r"|hospital|street|road|avenue|foundation|disease|syndrome|clinic|ward|wing|building|school|college|university"
    r"|institute|trust|award|prize)\s+(?:(?:de|du|des|d'|of|the)\s*)?(?:[a-z'-]+\s+){0,1}$"
)
# Staff at work: the person is the agent ("Julie travaille en réanimation").
_AGENT_VERB = re.compile(
    r"\b(?:travaill|exerce|dirige|coordonn|encadr(?!ee?s?\s+par)|anim|accompagn(?!ee?s?\s+par)|accueill(?!ie?s?\s+par)"
    r"|intervien|soigne\b|opere\b|forme\b|works|leads)"
)

# Patient-sense care words, on folded text.
CARE = re.compile(
    rf"""\b(?:
      (?P<pp>hospitalise|opere|soigne|greffe|transplante|intube|dialyse|ampute|diagnostique|decede|accouche
         |traite|reanime|rapatrie|transfere|perfuse|platre){_G}(?![a-z])
    | (?P<adm>admis{_G})(?![a-z])
    | (?P<pec>pris{_G}\s+en\s+charge)
    | (?P<att>atteint{_G})\s+(?:d'|de|du|par)
    | souffr(?:e|ant|ait)\s+d
    | (?:est|etait|sont|etaient|,)\s*suivi{_G}\s+(?:pour|en|au|a\s+l|dans|depuis|par)
    | (?:est|etait|reste|toujours|actuellement|place{_G}|plonge{_G}|sejourne|se\s+trouve|y\s+est)\s+en\s+
        (?:reanimation|rea|soins\s+intensifs|soins\s+continus|soins\s+palliatifs|chimiotherapie|dialyse
         |convalescence|observation|isolement|psychiatrie|pediatrie|neonatologie|maternite|cardiologie|oncologie)
    | en\s+(?:soins\s+palliatifs|chimiotherapie|convalescence|fin\s+de\s+vie)
    | a\s+subi | a\s+donne\s+naissance | victime\s+d | sous\s+respirateur | en\s+coma | dans\s+le\s+coma
    | hospitali[sz]ed | admitted | operated\s+on | underwent | treated\s+(?:for|in|at) | diagnosed
    | in\s+(?:intensive\s+care|the\s+icu|icu|a\s+coma|palliative\s+care|hospital) | died | passed\s+away
    | discharged | recovering | suffering\s+from | (?:was|were|been|being)\s+cared\s+for | gave\s+birth
    | received\s+an?\s+(?:transplant|kidney|liver|heart|lung|graft)
    | (?:on|in|from)\s+(?:the\s+|our\s+|a\s+)?(?:[a-z0-9'-]+\s+){{0,2}}ward(?![a-z])
    | (?:after|since|following)\s+(?:his|her|their)\s+(?:surgery|operation|transplant|stroke|heart\s+attack
        |treatment|chemotherapy|chemo|accident|fall|diagnosis|admission|cardiac\s+arrest|amputation|birth)
    # followed in a sensitive service (the service alone says the person is a patient there)
    | (?:en|au|aux|a\s+l'|dans\s+(?:le|la|l'|un|une|notre|nos|votre)\s+(?:[a-z-]+\s+){{0,2}}?|(?:service|unite|centre|pole|consultations?
        |hopital\s+de\s+jour|clinique|cmp|csapa)\s+(?:d'|de\s+|du\s+))\s*
      (?:addictologie|alcoologie|tabacologie|psychiatrie|pedopsychiatrie|oncologie|onco-?pediatrie|hematologie|cancerologie
        |infectiologie|sevrage|desintoxication|csapa|caarud|cmp|cmpp|soins\s+palliatifs)(?![a-z])
    | vi(?:t|vent|vait|vaient)\s+avec\s+(?:le\s+vih|le\s+sida|une?\s+(?:addiction|cancer|schizophrenie|depression|trouble)
        |la\s+(?:maladie|schizophrenie|depression|bipolarite)|des\s+troubles)
    | seropositi(?:f|ve)s?|porteu(?:r|se)\s+du\s+vih
    | (?:en|sous)\s+(?:traitement\s+de\s+substitution|methadone|buprenorphine|subutex|sevrage|cure\s+de\s+(?:desintoxication|sevrage)
        |chimio(?:therapie)?|radiotherapie|antiretroviraux|tritherapie)
    | living\s+with\s+(?:hiv|aids|cancer|dementia|schizophrenia|addiction)|in\s+rehab|(?:drug|alcohol)\s+(?:rehab|treatment|detox)
    )""",
    re.VERBOSE,
)
# "la patiente Mme Leroy", "Jeanne, patiente du service": the noun is a care word only next to the name.
_PATIENT_BEFORE = re.compile(
    rf"\b(?:patient{_G}|malade|residente?|resident)\s*,?\s*(?:(?:m\.|mme|mlle|monsieur|madame|mr\.?|mrs\.?|ms\.?)\s+)?$"
)
_PATIENT_AFTER = re.compile(
    rf"\s*[,(]\s*(?:(?:notre|votre|la|le|une?|cette|our|the|a)\s+)?(?:jeune\s+|petite?\s+|young\s+)?"
    rf"(?:patient{_G}|malade|residente?|resident)(?![a-z])"
)
# "la prise en charge": the noun, not "prise en charge" said of a person.
_DETERMINER_BEFORE = re.compile(r"\b(?:la|une|sa|leur|cette|notre|votre|de|d'une|bonne|meilleure|nouvelle|toute)\s+$")
# What may stand before a participle that describes the named person: a comma, the start of
# the sentence, an auxiliary ("a été opérée"), the name itself. After a noun ("les patients
# hospitalisés") the participle describes someone else.
_PARTICIPLE_SUBJECT = re.compile(
    r"(?:^|[,:;(–—-]|\b(?:est|etait|a\s+ete|ont\s+ete|avait\s+ete|sera|serait|fut|reste|restee|demeure|etre|ete"
    r"|qui|et)\s*|\b(?:toujours|actuellement|desormais|encore|deja|aussi|recemment|hier|puis|ensuite|enfin|bien)\s*)\s*$"
)
_AVOIR_BEFORE = re.compile(
    r"\b(?:a|ont|avons|avez|avait|avaient|aura|auront|ai|has|have|had)\s+(?:deja\s+|already\s+)?$"
)
_CARE_KEYS = (
    "patient",
    "soign",
    "hospitalis",
    "hospitaliz",
    "admis",
    "admitted",
    "opéré",
    "opere",
    "operated",
    "en charge",
    "décéd",
    "deced",
    "réanimation",
    "reanimation",
    "greff",
    "transplant",
    "intub",
    "dialys",
    "amput",
    "atteint",
    "diagnos",
    "palliatif",
    "intensi",
    "accouch",
    "traité",
    "traite",
    "treated",
    "suivi",
    "malade",
    "convalescen",
    "chimio",
    "coma",
    "souffr",
    "a subi",
    "victime",
    "naissance",
    "respirateur",
    "rapatri",
    "transfér",
    "transfer",
    "perfus",
    "plâtr",
    "platr",
    "underwent",
    "died",
    "passed away",
    "discharged",
    "recovering",
    "suffering",
    "cared for",
    "gave birth",
    "received a",
    "icu",
    "résident",
    "resident",
    "ward",
    "surgery",
    "operation",
    "stroke",
    "chemo",
    "addicto",
    "alcoolo",
    "tabacolo",
    "psychiatr",
    "oncolog",
    "hématolog",
    "hematolog",
    "cancérolog",
    "cancerolog",
    "infectio",
    "sevrage",
    "désintox",
    "desintox",
    "csapa",
    "caarud",
    "cmp",
    "vih",
    "sida",
    "séropositi",
    "seropositi",
    "méthadone",
    "methadone",
    "buprénorphine",
    "buprenorphine",
    "subutex",
    "substitution",
    "radioth",
    "antirétrovir",
    "antiretrovir",
    "trithérapie",
    "tritherapie",
    "palliati",
    "hiv",
    "aids",
    "rehab",
    "detox",
    "dementia",
    "schizophren",
)
_CARE_GATE = any_of(_CARE_KEYS)
_STOP = frozenset("Le La Les Un Une Des Du De Au Aux En Et Ou Il Elle Ils Elles Nous Vous On Ce Cette Ces".split())
_ABBREVIATION_END = re.compile(r"(?:\b(?:M|MM|Mme|Mlle|Dr|Pr|St|Ste|Mr|Mrs|Ms|Prof|ch|n|cf|etc|av|bd|[A-Z]))$")
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s)|\n")
_WINDOW = 120


def find_patient_names(text: str) -> list[tuple[int, int]]:
    """Spans of names of people in a patient context in ``text``."""
    candidates = _candidates(text)
    if not candidates:
        return []
    if without_stems(_CARE_GATE, text):
        return []
    candidates.sort(key=lambda c: (c[0], -c[1]))
    folded = fold(text)
    found: list[tuple[int, int]] = []
    for start, end, kind in candidates:
        if any(a < end and start < b for a, b in found):
            continue
        if _excluded(text, folded, start, end, kind):
            continue
        if _in_care_context(text, folded, start, end, kind):
            found.append((start, end))
    return sorted(found)


def _candidates(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of possible person names: civility + name, known first names, children."""
    found: list[tuple[int, int, str]] = []
    if "M" in text:
        for match in _CIVILITY.finditer(text):
            start = match.start()
            if not start or not (text[start - 1].isalnum() or text[start - 1] in "._"):
                found.append((start, match.end(), "civility"))
    words = _WORD_RE.findall(text)
    known_names = not FIRST_NAMES.isdisjoint(words)
    aged = ("," in text or "(" in text) and bool(_AGE_ANYWHERE.search(text))
    if known_names or aged:
        for match in _CAPITALISED.finditer(text):
            start = match.start()
            if start and (text[start - 1].isalnum() or text[start - 1] in "'’-."):
                continue
            first = match.group()
            known = first.split("-")[0] in FIRST_NAMES
            if not known and (not aged or first in _STOP):
                continue
            last = _LAST.match(text, match.end())
            end = last.end() if last and last.group().split()[-1] not in _STOP else match.end()
            if known:
                found.append((start, end, "full" if end > match.end() else "first"))
            elif end > match.end() and _AGE_AFTER.match(text, end):
                found.append((start, end, "aged"))  # "Zélie Poirier, 84 ans"
    low = lowered_text(text)
    if "petit" in low or "jeune" in low or "bébé" in low or "bebe" in low or "baby" in low or "little" in low:
        for match in _CHILD.finditer(text):
            if match.group("name") not in EPONYMS and match.group("name") not in _STOP:
                found.append((match.start(), match.end("name"), "child"))
    if "patient " in low or "patiente " in low or "patient·e " in low or "résident" in low or "resident" in low:
        for match in _PATIENT_NAMED.finditer(text):
            name = match.group("name")
            if name.split()[0] not in EPONYMS and name.split()[0] not in _STOP:
                found.append((match.start(), match.end("name"), "patient"))
    return found


def _excluded(text: str, folded: str, start: int, end: int, kind: str) -> bool:
    """Staff, guests, famous people, eponymous diseases and places named after people."""
    words = re.findall(r"[\w'’]+", text[start:end])
    if words and (words[-1] in EPONYMS or (kind != "civility" and words[-1] in FAMOUS)):
        return True
    before = folded[max(0, start - 40) : start]
    before = _SENTENCE_END.split(before)[-1]
    if kind not in ("child", "patient") and (_ROLE_BEFORE.search(before) or _PLACE_BEFORE.search(before)):
        return True
    if before.endswith(("-", "saint ", "sainte ")):
        return True
    return bool(_ROLE_AFTER.match(folded, end))


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence around [start, end), not cut at "M.", "Dr." or "ch."."""
    left, right = 0, len(text)
    for match in _SENTENCE_END.finditer(text):
        if match.group() != "\n" and match.group()[0] == "." and _ABBREVIATION_END.search(text, 0, match.start()):
            continue
        if match.end() <= start:
            left = match.end()
        elif match.start() >= end:
            right = match.start()
            break
    return left, right


def _in_care_context(text: str, folded: str, start: int, end: int, kind: str) -> bool:
    if kind == "patient":
        return True  # "la patiente Mme Leroy", "patient John Smith"
    if _PATIENT_BEFORE.search(folded, max(0, start - 30), start) or _PATIENT_AFTER.match(folded, end):
        return True  # "notre patient M. Dupont", "Jeanne, patiente du service"
    left, right = _sentence(text, start, end)
    left, right = max(left, start - _WINDOW), min(right, end + _WINDOW)
    for match in CARE.finditer(folded, left, right):
        pp = match.group("pp")
        if pp and text[match.start("pp") + len(pp) - 1] not in "éÉ":
            continue  # "opère", "soigne", "traite": present tense, not a past participle
        if pp != "accouche" and _AVOIR_BEFORE.search(folded, max(left, match.start() - 16), match.start()):
            continue  # "le Dr Leroy a opéré…": the person named is the carer
        if match.group("pec") and _DETERMINER_BEFORE.search(folded, max(left, match.start() - 12), match.start()):
            continue  # "la prise en charge"
        if (match.group("pp") or match.group("adm") or match.group("pec") or match.group("att")) and not (
            not folded[end : match.start()].strip(" ") or _PARTICIPLE_SUBJECT.search(folded, left, match.start())
        ):
            continue  # "accueille les patients hospitalisés": the participle describes another noun
        if match.start() > end and _AGENT_VERB.search(folded, end, match.start()):
            continue  # "Julie accompagne les patients hospitalisés"
        return True
    return False


@rule(
    "pii-patient-name",
    Severity.ERROR,
    sensitive=True,
)
def pii_patient_name(post, ctx) -> Iterator[Problem]:
    """A named person in a care context: a patient who can be identified.

    Checks
      Every text of the post for a person's name in the same sentence as a
      patient-sense care word. A name is:
      - a civility and a capitalised name: "M. Dupont", "Mme Leroy", "Madame Jeanne
        Martin", "Mr Smith";
      - a common first name, alone or with a surname: "Lina", "Jeanne Martin",
        "Jean-Pierre Durand", "John Smith" (a built-in list of a few hundred names);
      - a capitalised first and last name followed by an age: "Zélie Poirier, 84 ans"
        (a known first name may be followed by any age: "John Smith, 67,");
      - a child or patient designation: "la petite Lina", "bébé Léo", "la patiente
        Mme Leroy", "patient John Smith".
      Care words, inclusive forms included (hospitalisé·e, patient·es): hospitalisé,
      admis, opéré, soigné, pris en charge, greffé, intubé, dialysé, décédé,
      accouché, atteint de, souffre de, suivi pour, "est en réanimation", "en soins
      palliatifs", "a subi", patient·e next to the name; in English hospitalized,
      admitted, operated on, underwent, treated for, diagnosed, in intensive care,
      died, discharged, recovering.
      Not reported: staff and guests (a title or role before or after the name: "le Pr
      Martin, chef du service de cardiologie", "le Dr Leroy a opéré", "Sophie,
      infirmière en réanimation"), the person as the agent ("Julie travaille en
      réanimation", "a opéré", "soigne"), eponymous diseases ("la maladie d'Alzheimer,
      de Parkinson, de Crohn, de Charcot"), famous people ("Louis Pasteur", "Marie
      Curie"), hospitals, streets and places named after a person ("l'hôpital Larrey",
      "Sainte-Anne", "Institut Gustave Roussy").

    Limits
      A heuristic, not a named-entity recogniser: a surname alone without a civility
      ("Durand, hospitalisé…"), a rare first name outside the list, a nickname, or a
      care context spread over two sentences is missed; a staff member named without
      a title in a care sentence, or a patient who consented, is reported (declare the
      consent: see below). Initials ("M. D.") are reported only with a civility.

    Checks, where the post declares `consent:` (a patient's story, told with consent)
      The post's `consent:` names a record of the register, consents.yaml beside
      config.yaml. The record must exist, cover the name ("name") where the text names
      a person in a care context, otherwise the name or the testimony ("name",
      "testimony": a post declares a consent for its text), cover every network of the
      post, be valid on the post's day and not be withdrawn. Then the names found are
      not reported: the consent is recorded and verified at every run. Otherwise the
      consent is reported, and so is every name. Without consents.yaml the consent
      cannot be verified: a warning, and the names are still reported. Messages name the
      reference, never the person.

    Why
      Medical secrecy covers the very fact that a person is a patient: CSP L1110-4
      (respect of private life and secrecy of information), R4127-4 ("tout ce qui est
      venu à la connaissance du médecin"), Code pénal 226-13 (one year, 15 000 EUR);
      the MACSF / CHU de Bordeaux guide "Même sur les réseaux sociaux, on porte une
      blouse". GMC guidance (paras 18-19) and HIPAA Safe Harbor (names, 45 CFR
      164.514(b)(2)(A)) say the same.
      A patient's testimony needs the patient's specific written consent (GMC; College
      of Optometrists C149; HIPAA authorisation); it can be withdrawn at any time (RGPD
      art. 7(3)) and it is fragile: the Danish DPA held that a hospital cannot rely on
      a patient's consent, given the unequal relationship (Aarhus University Hospital
      had to delete Instagram posts), hence a register checked at every run.

    Fix
      Remove the name or anything that identifies the patient ("une patiente de 84
      ans"); a patient's story needs the patient's specific written consent: record it
      in consents.yaml (covers: [name, testimony], its networks, valid_until) and write
      its id in the post's `consent:`. A withdrawn or expired consent cannot be fixed by
      the post: remove the name (and retract what was published).

    Examples
      flagged: "Jeanne Martin, 84 ans, a été opérée hier en chirurgie cardiaque."
      passes:  "Le Pr Martin, chef du service de cardiologie, présente la nouvelle salle hybride."
      passes:  "Jeanne Martin, 84 ans, a été opérée…" with consent: C-2026-031, a record of
               consents.yaml covering name on the post's networks, valid on its day
    """
    names = [(field, span) for field, text in post.texts() for span in find_patient_names(text)]
    if post.consent:
        found = consent_problem(post, ctx, post.consent, ("name",) if names else ("name", "testimony"))
        if found is None:
            return  # the person named consented, and the register says so today
        message, severity = found
        yield Problem(f"The post declares a consent but {message}.", "consent", severity=severity)
    for field, span in names:
        yield Problem("The text names a person in a care context, who may be an identifiable patient.", field, span)
