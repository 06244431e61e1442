"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("claim-absolute", Severity.ERROR, fix="")
def claim_absolute(post, ctx):
    """claim-absolute (to be written)."""
    return ()


@rule("claim-comparative", Severity.ERROR, fix="")
def claim_comparative(post, ctx):
    """claim-comparative (to be written)."""
    return ()


@rule("claim-innovation", Severity.ERROR, fix="")
def claim_innovation(post, ctx):
    """claim-innovation (to be written)."""
    return ()
