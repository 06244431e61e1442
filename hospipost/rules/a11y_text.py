"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("a11y-hashtag-case", Severity.ERROR, fix="")
def a11y_hashtag_case(post, ctx):
    """a11y-hashtag-case (to be written)."""
    return ()


@rule("a11y-emoji", Severity.ERROR, fix="")
def a11y_emoji(post, ctx):
    """a11y-emoji (to be written)."""
    return ()


@rule("a11y-fancy-unicode", Severity.ERROR, fix="")
def a11y_fancy_unicode(post, ctx):
    """a11y-fancy-unicode (to be written)."""
    return ()


@rule("a11y-caps", Severity.ERROR, fix="")
def a11y_caps(post, ctx):
    """a11y-caps (to be written)."""
    return ()
