"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("link-shortener", Severity.ERROR, fix="")
def link_shortener(post, ctx):
    """link-shortener (to be written)."""
    return ()
