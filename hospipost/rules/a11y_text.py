"""Accessible text: readable hashtags, sparing emoji, plain letters, no shouting.

Four rules for what screen readers (NVDA, JAWS, VoiceOver, TalkBack) do with a post:
they read a hashtag as one word unless its words start with capitals, read every emoji
by its full name, spell out or skip "fancy" Unicode letters, and may spell out or
stress words in capitals. Alt texts are checked by a11y-alt-text, except for fancy
letters, which this module also looks for in them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from hospipost.rules._text import find_urls, fold
from hospipost.rules.contracts import CheckContext, Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post


def _published_texts(post: Post) -> Iterator[tuple[str, str]]:
    """The texts people read in the post itself (alt texts have their own rule)."""
    for field, text in post.texts():
        if not field.startswith("media["):
            yield field, text


# --- a11y-hashtag-case -------------------------------------------------------------

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


@rule(
    "a11y-hashtag-case",
    Severity.WARNING,
    fix="Capitalise each word of a multi-word hashtag: #SemaineSécuritéPatients, not #semainesecuritepatients.",
)
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
    for field, text in _published_texts(post):
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


# --- a11y-emoji --------------------------------------------------------------------

# Characters an emoji may start with or contain: a cheap test before the real matcher.
_EMOJI_CANDIDATE = re.compile("[\u00a9\u00ae\u203c-\u3299\U0001f000-\U0001faff\ufe0f\u20e3]")
_EMOJI_PATTERN = (
    r"[0-9#*]\ufe0f?\u20e3"  # keycap
    r"|\p{RI}\p{RI}"  # flag
    r"|(?:\p{Extended_Pictographic}|\p{Emoji_Presentation})"
    r"(?:\p{Emoji_Modifier}|\ufe0f|[\U000E0020-\U000E007E]+\U000E007F)*"  # skin tone, variation, tags
    r"(?:\u200d(?:\p{Extended_Pictographic}|\p{Emoji_Presentation})(?:\p{Emoji_Modifier}|\ufe0f)*)*"  # ZWJ
)
# Typographic signs that are emoji only when followed by U+FE0F.
_TEXT_SYMBOLS = frozenset("©®™")
MAX_EMOJI = 3
MIN_BULLET_LINES = 3


@lru_cache(maxsize=1)
def _emoji_matcher():
    import regex

    return regex.compile(_EMOJI_PATTERN)


def find_emoji(text: str) -> list[tuple[int, int, str]]:
    """Emoji in a text, a whole sequence (family, skin tone, flag, keycap) as one: (start, end, emoji)."""
    if not _EMOJI_CANDIDATE.search(text):
        return []
    return [(m.start(), m.end(), m.group()) for m in _emoji_matcher().finditer(text) if m.group() not in _TEXT_SYMBOLS]


_LETTER_BEFORE = re.compile(r"[^\W_][\s]*$")
_WORD_AFTER = re.compile(r"[ \t\u00a0\u202f]*([^\W\d_])")  # the next word's first letter


@rule(
    "a11y-emoji",
    Severity.WARNING,
    fix="Keep at most 3 emoji, after the text, never in place of a word, not repeated, not as bullets.",
)
def a11y_emoji(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """Emoji are few, after the text, and never stand for words, so a screen reader's reading makes sense.

    Checks, in each text of the post (text, variants, thread):
      more than 3 emoji; an emoji between two words of a sentence, standing for a word
      or breaking the sentence ("on ❤️ nos soignants", "Rendez-vous 📅 le 12 mars"); the
      same emoji repeated in a row ("🎉🎉🎉"); emoji used as bullets at the start of 3
      lines or more. A sequence (family, skin tone, flag, keycap) counts as one emoji;
      ©, ® and ™ are not counted.

    Why:
      A screen reader reads every emoji by its full name ("visage avec larmes de joie"),
      so "on ❤️ nos soignants" becomes "on cœur rouge nos soignants", "🎉🎉🎉" is three
      "cotillons", and emoji bullets add a name before each line. Sources: Access42,
      "Réseaux sociaux : des emojis accessibles" (access42.net); hello-bokeh.fr "Des
      emoji accessibles"; quatrehistoires.fr; loi n°2005-102 art. 47.

    Fix:
      Write the words (aimons, rendez-vous), keep one to three emoji at the end of the
      text, separated by spaces, and use dashes or plain line breaks for lists.

    Examples:
      "On ❤️ nos soignants" → "Nous aimons nos soignants ❤️"; "✅ Inscription\\n✅
      Accueil\\n✅ Visite" → "- Inscription\\n- Accueil\\n- Visite".
    """
    for field, text in _published_texts(post):
        found = find_emoji(text)
        if not found:
            continue
        if len(found) > MAX_EMOJI:
            start = found[MAX_EMOJI][0]
            yield Problem(
                f"{len(found)} emoji in this text, and a screen reader reads each one by its full name: keep at most {MAX_EMOJI}.",
                field=field,
                span=(start, found[-1][1]),
            )
        yield from _emoji_in_sentences(field, text, found)
        yield from _repeated_emoji(field, text, found)
        yield from _emoji_bullets(field, text, found)


def _emoji_in_sentences(field: str, text: str, found: list[tuple[int, int, str]]) -> Iterator[Problem]:
    for start, end, emoji in found:
        before = text[max(0, start - 40) : start]
        after = _WORD_AFTER.match(text, end)
        # between a word and a word that goes on with the sentence (lowercase, not a link)
        if not (
            before.endswith((" ", "\u00a0")) and _LETTER_BEFORE.search(before) and after and after.group(1).islower()
        ):
            continue
        if text.startswith(("http", "www."), after.start(1)):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip():
            continue
        yield Problem(
            f"The emoji {emoji} interrupts a sentence, where a screen reader reads its full name aloud: "
            "replace it with a word or move it to the end.",
            field=field,
            span=(start, end),
        )
        return  # once per text


def _repeated_emoji(field: str, text: str, found: list[tuple[int, int, str]]) -> Iterator[Problem]:
    for index in range(1, len(found)):
        previous, current = found[index - 1], found[index]
        if current[2] == previous[2] and not text[previous[1] : current[0]].strip():
            run_end = index
            while (
                run_end + 1 < len(found)
                and found[run_end + 1][2] == current[2]
                and not text[found[run_end][1] : found[run_end + 1][0]].strip()
            ):
                run_end += 1
            count = run_end - index + 2
            yield Problem(
                f"The emoji {current[2]} is repeated {count} times in a row, and a screen reader reads its name {count} times: keep one.",
                field=field,
                span=(previous[0], found[run_end][1]),
            )
            return


def _emoji_bullets(field: str, text: str, found: list[tuple[int, int, str]]) -> Iterator[Problem]:
    if text.count("\n") + 1 < MIN_BULLET_LINES:
        return
    starts = {start for start, _, _ in found}
    bullets = []
    offset = 0
    for line in text.split("\n"):
        stripped = len(line) - len(line.lstrip())
        if offset + stripped in starts and line.strip():
            bullets.append(offset + stripped)
        offset += len(line) + 1
    if len(bullets) >= MIN_BULLET_LINES:
        yield Problem(
            f"{len(bullets)} lines start with an emoji used as a bullet, read aloud by name before each line: use a dash or a plain line break.",
            field=field,
            span=(bullets[0], bullets[0] + 1),
        )


# --- a11y-fancy-unicode ------------------------------------------------------------

# Letters from other alphabets used to fake a style: mathematical alphanumerics (bold,
# italic, script, double-struck…, U+1D400–U+1D7FF, with their letterlike gap-fillers),
# circled, parenthesised, squared and negative letters, fullwidth letters and digits,
# and the small capitals used as a "small caps" font.
_SMALL_CAPITALS = {
    "ᴀ": "a",
    "ʙ": "b",
    "ᴄ": "c",
    "ᴅ": "d",
    "ᴇ": "e",
    "ꜰ": "f",
    "ɢ": "g",
    "ʜ": "h",
    "ɪ": "i",
    "ᴊ": "j",
    "ᴋ": "k",
    "ʟ": "l",
    "ᴍ": "m",
    "ɴ": "n",
    "ᴏ": "o",
    "ᴘ": "p",
    "ʀ": "r",
    "ꜱ": "s",
    "ᴛ": "t",
    "ᴜ": "u",
    "ᴠ": "v",
    "ᴡ": "w",
    "ʏ": "y",
    "ᴢ": "z",
}
_STYLED = (
    "\U0001d400-\U0001d7ff"
    "\u2102\u210a-\u2113\u2115\u2119-\u211d\u2124\u2128\u212c\u212d\u212f-\u2131\u2133\u2134"
    "\u249c-\u24e9"
    "\U0001f130-\U0001f16f\U0001f172-\U0001f17d\U0001f180-\U0001f189"  # not 🅰 🅱 🅾 🅿 (blood types)
    "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a" + "".join(_SMALL_CAPITALS)
)
# A styled phrase: styled letters with the spaces, punctuation and accents between them.
_STYLED_RUN = re.compile(f"[{_STYLED}](?:[\\s'’.,:;!?\\-\u0300-\u036f]*[{_STYLED}])*[\u0300-\u036f]*")
_STYLED_CHAR = re.compile(f"[{_STYLED}]")
# A few ranges holding every styled character: a quicker first test for ordinary text.
_MAYBE_STYLED = re.compile(
    "[\u0262-\u029f\u1d00-\u1d22\u2102-\u2134\u249c-\u24e9\ua730\ua731\uff10-\uff5a\U0001d400-\U0001d7ff\U0001f130-\U0001f189]"
)
MIN_STYLED_LETTERS = 2


def plain_letters(text: str) -> str:
    """What styled letters stand for: 𝐍𝐨𝐮𝐯𝐞𝐚𝐮 → Nouveau, ⓒⓗⓤ → chu, ᴄᴏɴꜰᴇ́ʀᴇɴᴄᴇ → conférence."""
    plain = "".join(_SMALL_CAPITALS.get(c) or _plain_letter(c) for c in text)
    return unicodedata.normalize("NFC", plain)


_LETTER_NAME = re.compile(r"LATIN (CAPITAL|SMALL) LETTER ([A-Z])$")


def _plain_letter(char: str) -> str:
    plain = unicodedata.normalize("NFKC", char)
    if plain != char:
        return plain
    # no compatibility mapping (negative circled, negative squared): read the name
    named = _LETTER_NAME.search(unicodedata.name(char, ""))
    if not named:
        return char
    return named.group(2) if named.group(1) == "CAPITAL" else named.group(2).lower()


def _style(char: str) -> str:
    name = unicodedata.name(char, "")
    if char in _SMALL_CAPITALS:
        return "small capitals"
    if name.startswith("MATHEMATICAL "):
        return name.split(" CAPITAL ")[0].split(" SMALL ")[0].split(" DIGIT ")[0].lower()
    for word in ("CIRCLED", "PARENTHESIZED", "SQUARED", "FULLWIDTH"):
        if word in name:
            return f"{'negative ' if 'NEGATIVE' in name else ''}{word.lower()}"
    return "styled"


@rule(
    "a11y-fancy-unicode",
    Severity.ERROR,
    fix="Write plain letters; for emphasis use words, capitals sparingly or a line break, never 𝐛𝐨𝐥𝐝 or 𝘪𝘵𝘢𝘭𝘪𝘤 Unicode.",
)
def a11y_fancy_unicode(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """Text is written in plain letters, not in Unicode symbols that imitate bold, italic or other styles.

    Checks:
      In every text of the post, alt texts included: runs of 2 or more letters taken
      from the Mathematical Alphanumeric Symbols block (U+1D400–U+1D7FF: 𝐛𝐨𝐥𝐝,
      𝘪𝘵𝘢𝘭𝘪𝘤, 𝓈𝒸𝓇𝒾𝓅𝓉, 𝕕𝕠𝕦𝕓𝕝𝕖…), circled, parenthesised or squared letters (ⓒⓗⓤ),
      fullwidth letters (ＣＨＵ) and small capitals standing in for a font (ᴄʜᴜ). The
      blood-type emoji 🅰️ 🅱️ 🅾️ 🅿️ and ordinal superscripts (1ʳᵉ, 2ᵉ) are not reported.

    Why:
      These are not styled letters but mathematical or other symbols: screen readers
      spell them out ("mathematical bold capital N…") or skip them, search engines and
      the networks' own search do not find the words, and some devices show boxes.
      Sources: La Lutine du Web, "Le détournement des caractères Unicode et des emojis"
      (lalutineduweb.fr); Access42; loi n°2005-102 art. 47. An error: the text is
      unreadable for some readers, not merely less pleasant.

    Fix:
      Retype the words in plain letters (the message shows them); networks have no bold:
      make the point with the words, a short first line or a line break.

    Examples:
      "𝐍𝐨𝐮𝐯𝐞𝐚𝐮 : le babicoc" → "Nouveau : le babicoc"; "ᴄᴏɴꜰᴇ́ʀᴇɴᴄᴇ" →
      "conférence".
    """
    for field, text in post.texts():
        if text.isascii() or not _MAYBE_STYLED.search(text):
            continue
        for match in _STYLED_RUN.finditer(text):
            run = match.group()
            if len(_STYLED_CHAR.findall(run)) < MIN_STYLED_LETTERS:
                continue
            yield Problem(
                f"{run!r} is written with {_style(run[0])} Unicode symbols that screen readers spell out or skip: "
                f"write {plain_letters(run)!r}.",
                field=field,
                span=match.span(),
            )


# --- a11y-caps -----------------------------------------------------------------------

# Words (letters, with elisions and hyphens inside), and what is not prose: URLs,
# hashtags, mentions, e-mail addresses.
_CAPS_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_NOT_PROSE = re.compile(r"(?i)[#@][\w.-]+|\S+@\S+|https?://\S+|www\.\S+")
# Either kind of shouting needs a capitalised word of 6 letters or more: a cheap pre-test
# (six letters in a row that are not ASCII or Latin-1 lowercase, a superset).
_LONG_UPPER = re.compile(r"[^\W\d_a-zß-ÿ]{6}")
# Acronyms longer than 5 letters that institutional texts write in capitals.
ACRONYMS = frozenset("INSERM URSSAF UNICEF UNESCO HCERES CERTAM".split())
MIN_SHOUTING_RUN = 3  # capitalised words in a row (words of 2 letters or more)
MIN_LONG_CAPS = 4  # or this many capitalised words of 6 letters or more…
MIN_CAPS_SHARE = 0.3  # … making up this share of the words
_SHORT_ACRONYM = 5


def shouting(text: str) -> tuple[int, int] | None:
    """The span of the shouting in a text, or None (see a11y-caps for the heuristic)."""
    if not _LONG_UPPER.search(text):
        return None
    if "#" in text or "@" in text or "://" in text or "." in text:
        text = _NOT_PROSE.sub(lambda m: " " * len(m.group()), text)
    words = [(m.start(), m.end(), m.group()) for m in _CAPS_WORD.finditer(text)]
    run: list[tuple[int, int, str]] = []
    best_run: list[tuple[int, int, str]] = []
    long_caps = []
    counted = 0
    for start, end, word in words:
        letters = word.replace("'", "").replace("’", "").replace("-", "")
        if len(letters) < 2:
            continue  # a one-letter word (à, A, y) neither counts nor breaks a run
        counted += 1
        if not word.isupper():
            run = []
            continue
        run.append((start, end, letters))
        if len(letters) > _SHORT_ACRONYM and letters not in ACRONYMS:
            long_caps.append((start, end))
        if len(run) > len(best_run) and _is_shouting_run(run):
            best_run = list(run)
    if best_run:
        return best_run[0][0], best_run[-1][1]
    if len(long_caps) >= MIN_LONG_CAPS and len(long_caps) >= MIN_CAPS_SHARE * counted:
        return long_caps[0][0], long_caps[-1][1]
    return None


def _is_shouting_run(run: list[tuple[int, int, str]]) -> bool:
    """Enough capitalised words in a row, one of them not an acronym."""
    return len(run) >= MIN_SHOUTING_RUN and any(
        len(letters) > _SHORT_ACRONYM and letters not in ACRONYMS for _, _, letters in run
    )


@rule(
    "a11y-caps",
    Severity.SUGGESTION,
    fix="Write in sentence case; keep capitals for acronyms (CHU, SAMU) and make the point with words.",
)
def a11y_caps(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """Text is not shouted in capitals, which is harder to read and may be spelled out by screen readers.

    Checks:
      In each text of the post (text, variants, thread): 3 or more words in capitals in
      a row, one of them longer than 5 letters ("APPEL À LA VIGILANCE", "JOURNÉE PORTES
      OUVERTES"); or 4 or more words of 6 letters or more in capitals making up 30 % or
      more of the words. Acronyms of up to 5 letters (CHU, SAMU, ARS, HAS, COVID, IRM)
      and known longer ones (INSERM, URSSAF, UNICEF…) are not shouting; hashtags, URLs,
      mentions and e-mail addresses are ignored; one-letter words neither count nor
      break a run.

    Why:
      Text in capitals is slower to read (word shapes disappear), harder for people
      with dyslexia or low vision, reads as shouting, and some screen readers spell out
      words in capitals letter by letter. Sources: choblab.com "Médias sociaux : comment
      rendre ses contenus accessibles"; CH Annecy-Genevois moderation charter; loi
      n°2005-102 art. 47. A suggestion: an alert may deserve one word in capitals.

    Fix:
      Write in sentence case and carry the emphasis with the words, a short first line,
      or a single word in capitals ("URGENT : …").

    Examples:
      "ALERTE CANICULE : BUVEZ DE L'EAU" → "Alerte canicule : buvez de l'eau";
      "URGENT : le SAMU 49 rappelle…" and "Le CHU et l'ARS" are fine.
    """
    for field, text in _published_texts(post):
        span = shouting(text)
        if span:
            shouted = text[span[0] : span[1]]
            shown = shouted if len(shouted) <= 40 else shouted[:39].rstrip() + "…"
            yield Problem(
                f"{shown!r} is written in capitals, which reads as shouting and can be spelled out by screen readers: "
                "use sentence case.",
                field=field,
                span=span,
            )
