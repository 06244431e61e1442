"""a11y-caps: text is not shouted in capitals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.rules._a11y import texts_besides_alt_texts
from hospipost.rules._text import without_tags_or_links
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules._text import without_tags_or_links
from hospipost.rules.contracts import CheckContext

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
    if not without_tags_or_links(text):
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


@rule("a11y-caps", Severity.SUGGESTION)
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
    for field, text in texts_besides_alt_texts(post):
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
