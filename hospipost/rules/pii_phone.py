"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("pii-phone", Severity.ERROR, fix="")
def pii_phone(post, ctx):
    """pii-phone (to be written)."""
    return ()
