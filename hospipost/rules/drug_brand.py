"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("drug-brand", Severity.ERROR, fix="")
def drug_brand(post, ctx):
    """drug-brand (to be written)."""
    return ()
