"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("duplicate-text", Severity.ERROR, fix="")
def duplicate_text(post, ctx):
    """duplicate-text (to be written)."""
    return ()
