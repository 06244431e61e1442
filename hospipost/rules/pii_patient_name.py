"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("pii-patient-name", Severity.ERROR, fix="")
def pii_patient_name(post, ctx):
    """pii-patient-name (to be written)."""
    return ()
