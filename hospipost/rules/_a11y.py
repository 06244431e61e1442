"""What the accessibility rules share: what screen readers (NVDA, JAWS, VoiceOver,
TalkBack) read of a post.

They read a hashtag as one word unless its words start with capitals, read every emoji
by its full name, spell out or skip "fancy" Unicode letters, and may spell out or stress
words in capitals. Alt texts are checked by a11y-alt-text, except for fancy letters,
which a11y-fancy-unicode also looks for in them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hospipost.posts import Post


def texts_besides_alt_texts(post: Post) -> Iterator[tuple[str, str]]:
    """The texts people read in the post itself (alt texts have their own rule)."""
    for field, text in post.texts():
        if not field.startswith("media["):
            yield field, text
