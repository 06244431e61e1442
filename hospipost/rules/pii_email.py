"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("pii-email", Severity.ERROR, fix="")
def pii_email(post, ctx):
    """pii-email (to be written)."""
    return ()
