"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("pii-nir", Severity.ERROR, fix="")
def pii_nir(post, ctx):
    """pii-nir (to be written)."""
    return ()
