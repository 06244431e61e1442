"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("a11y-alt-text", Severity.ERROR, fix="")
def a11y_alt_text(post, ctx):
    """a11y-alt-text (to be written)."""
    return ()
