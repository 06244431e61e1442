"""a11y-alt-text: every image carries a text alternative that says what it shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from hospipost.rules._text import fold
from hospipost.rules.contracts import CheckContext, Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post

MIN_WORDS = 3
# Words: letters or digits, an elision kept with its word (l'équipe, aujourd'hui).
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_EXTENSIONS = r"jpe?g|png|gif|webp|heic|heif|avif|bmp|tiff?|svg|mp4|mov|m4v|avi|pdf|docx?|pptx?"
_FILE_NAME = re.compile(rf"(?i)^[^\s/\\]+\.(?:{_EXTENSIONS})$")
# What cameras, phones and screenshot tools name files: IMG_2041, DSC01234, PXL_20261123_…,
# "Capture d'écran 2026-11-23 à 10.15.32", "Screenshot_20261123-101532".
_DEVICE_NAME = re.compile(
    rf"""(?ix)^(?:
        (?:img|dsc[nf]?|pxl|mvimg|vid|wp|gopr|p|dji|sam|pict?|photo|image|scan)[\s_-]*\d[\w-]*
      | (?:capture\ d'ecran|capture\ ecran|capture|screenshot|screen\ shot)[\s_-]*\d[\d\s.:_h-]*(?:(?:a|at)\s+[\d\s.:h_-]+)?
    )(?:\.(?:{_EXTENSIONS}))?$"""
)
# Alt texts that only say "this is an image" (folded: lowercase, no accents, punctuation
# as spaces), alone or followed by nothing but "de"/"of" ("image de…").
PLACEHOLDERS = frozenset(
    """
    image images img pic pics picture pictures photo photos photographie photographies
    illustration illustrations visuel visuels graphic graphique graphiques infographie
    infographic capture captures screenshot logo affiche poster flyer banniere banner alt
    alternative description untitled null none n/a na todo tbd xxx test
    """.split()
) | frozenset(
    line.strip()
    for line in """
        capture d'ecran
        captures d'ecran
        capture ecran
        screen shot
        alt text
        texte alternatif
        image description
        description de l'image
        sans titre
        a completer
        une image
        une photo
        un visuel
        an image
        a photo
        a picture
    """.splitlines()
    if line.strip()
)
_PLACEHOLDER_OF = re.compile(
    r"^(?:(?:une?|an?|the|l')\s*)?(?:image|photo|picture|visuel|illustration|capture|affiche)s?\s+(?:de|d'|du|des|of)\s*$"
)
_PUNCTUATION = re.compile(r"[\s.…:;,!?()\[\]\"«»*_-]+")


@rule("a11y-alt-text", Severity.ERROR)
def a11y_alt_text(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """Every image has an alt text that describes it, within each network's alt-text limit.

    Checks:
      Each media item has an alt: text that is not empty, not a file name ("IMG_2041.jpg",
      "photo.png", "Capture d'écran 2026-11-23 à 10.15.32", the file's own name), not a
      placeholder ("image", "photo", "visuel", "illustration", "capture d'écran",
      "screenshot", "image de…" alone), has at least 3 words, and is no longer than the
      alt-text limit of each network of the post that declares one (X 1 000, Mastodon
      1 500 characters).

    Why:
      Screen-reader users only get the alt text: an image without one, or with "image",
      is a hole in the message; on social networks images almost always carry
      information (posters, infographics, figures). A hospital is a public body bound by
      loi n°2005-102 art. 47 (digital accessibility of public services, social-network
      posts included per CERTAM-AVH; enforced by Arcom), RGAA criteria 1.1 and 1.3, WCAG
      2.1 success criterion 1.1.1. Bluesky's lexicon (app.bsky.embed.images) requires an
      alt on every image; X drops an alt text over 1 000 characters.

    Fix:
      Say what the image shows and what it says: the text of a poster, the figures of an
      infographic, who or what is in a photo and what they are doing, in one or two
      sentences; no "image de…" prefix (screen readers already say "image").

    Examples:
      alt: IMG_2041.jpg → "Deux infirmières installent un nourrisson dans le babicoc
      avant une IRM." alt: affiche → "Affiche Octobre rose : dépistage du cancer du sein
      gratuit dès 50 ans, parlez-en à votre médecin."
    """
    if not post.media:
        return
    networks = [n for n in ctx.networks(post) if ctx.limits(n).max_alt_length]
    for index, item in enumerate(post.media):
        alt = (item.alt or "").strip()
        field = f"media[{index}].alt" if alt else f"media[{index}]"
        reason = alt_text_problem(alt, item.file)
        if reason:
            yield Problem(f"media[{index}] {item.file!r} {reason}.", field=field, span=(0, len(alt)) if alt else None)
        for network in networks:
            limit = ctx.limits(network).max_alt_length or 0
            if len(alt) > limit:
                yield Problem(
                    f"{network.label} takes alt texts up to {limit} characters: media[{index}] has {len(alt)}.",
                    field=field,
                    network=network.name,
                )


@lru_cache(maxsize=4096)
def alt_text_problem(alt: str, file: str = "") -> str | None:
    """Why ``alt`` does not describe the image in ``file`` (a phrase after the media name), or None."""
    if not alt:
        return "has no alt text, so screen-reader users cannot know what it shows"
    folded = fold(alt).strip()
    if _FILE_NAME.match(folded) or _DEVICE_NAME.match(folded) or (file and _is_own_name(folded, file)):
        return f"has a file name as alt text ({alt!r}), which tells screen-reader users nothing"
    plain = _PUNCTUATION.sub(" ", folded).strip()
    if not plain or plain in PLACEHOLDERS or _PLACEHOLDER_OF.match(plain):
        return f"has a placeholder as alt text ({alt!r}) instead of a description"
    words = len(_WORD.findall(alt))
    if words < MIN_WORDS:
        return f"has an alt text too short to describe it ({alt!r}, {words} word{'s' if words > 1 else ''}; at least {MIN_WORDS})"
    return None


_SEPARATORS = re.compile(r"[\s_-]+")


def _is_own_name(folded_alt: str, file: str) -> bool:
    """Whether the alt text is the media file's name, with or without extension, dashes or spaces."""
    name = fold(file.replace("\\", "/").rsplit("/", 1)[-1])
    stem = name.rsplit(".", 1)[0]
    alt = _SEPARATORS.sub(" ", folded_alt)
    return alt in (_SEPARATORS.sub(" ", name), _SEPARATORS.sub(" ", stem))
