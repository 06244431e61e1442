"""a11y-fancy-unicode: plain letters, not Unicode symbols that imitate bold, italic or other styles.

Alt texts included (a11y-alt-text does not look for styled letters).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext

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


@rule("a11y-fancy-unicode", Severity.ERROR)
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
