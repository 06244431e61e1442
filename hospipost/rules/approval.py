"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("approval-required", Severity.ERROR, fix="")
def approval_required(post, ctx):
    """approval-required (to be written)."""
    return ()


@rule("approval-self", Severity.ERROR, fix="")
def approval_self(post, ctx):
    """approval-self (to be written)."""
    return ()
