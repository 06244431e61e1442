"""a11y-emoji: emoji are few, after the text, and never stand for words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from hospipost.rules._a11y import texts_besides_alt_texts
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext

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


@rule("a11y-emoji", Severity.WARNING)
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
    for field, text in texts_besides_alt_texts(post):
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
