"""Placeholder: to be written."""

from hospipost.compliance import Severity, rule


@rule("schedule-past", Severity.ERROR, fix="")
def schedule_past(post, ctx):
    """schedule-past (to be written)."""
    return ()


@rule("schedule-quiet-hours", Severity.ERROR, fix="")
def schedule_quiet_hours(post, ctx):
    """schedule-quiet-hours (to be written)."""
    return ()


@rule("schedule-dst", Severity.ERROR, fix="")
def schedule_dst(post, ctx):
    """schedule-dst (to be written)."""
    return ()
