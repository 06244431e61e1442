"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("pii-address", Severity.ERROR, fix="")
def pii_address(post, ctx):
    """pii-address (to be written)."""
    return ()
