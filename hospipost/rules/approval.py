"""Approval: every post is approved by someone, and not by its own author."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from hospipost.rules._text import fold
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext

_SEPARATORS = re.compile(r"[\s._\-'’]+")
_SEVERAL = re.compile(r"\s*(?:[,;/&+]|\bet\b|\band\b)\s*", re.IGNORECASE)


@lru_cache(maxsize=4096)  # a team has a handful of authors and approvers
def person_key(name: str) -> tuple[str, ...]:
    """A name as comparable tokens: "C. Dupuis", "c.dupuis", "c_dupuis@chu-angers.fr" -> ("c", "dupuis")."""
    name = fold(name.strip()).split("@", 1)[0]
    return tuple(token for token in _SEPARATORS.split(name) if token)


@lru_cache(maxsize=4096)
def same_person(first: str, second: str) -> bool:
    """Whether two ways of writing a name designate the same person.

    Equal once case, accents, spaces, dots, underscores and hyphens are ignored
    ("C. Dupuis" = "c.dupuis" = "cdupuis"); the same words in another order ("Dupuis
    Claire" = "claire.dupuis"); an initial for a first name ("c.dupuis" = "Claire Dupuis").
    """
    a, b = person_key(first), person_key(second)
    if not a or not b:
        return False
    if "".join(a) == "".join(b) or sorted(a) == sorted(b):
        return True
    return _initial_match(a, b) or _initial_match(b, a)


def _initial_match(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """("c", "dupuis") and ("claire", "dupuis"), in either order of first and last name."""
    if len(short) != 2 or len(full) != 2:
        return False
    for initial, surname in (short, short[::-1]):
        if len(initial) == 1 and len(surname) > 1:
            for given, family in (full, full[::-1]):
                if family == surname and given.startswith(initial) and len(given) > 1:
                    return True
    return False


@lru_cache(maxsize=4096)
def _self_approved(author: str, approved_by: str) -> bool:
    approvers = [name for name in _SEVERAL.split(approved_by) if name.strip()]
    return bool(approvers) and all(same_person(author, approver) for approver in approvers)


@rule(
    "approval-required",
    Severity.ERROR,
    fix="Have the post reviewed and set `approved_by:` to the reviewer's name (someone other than the author).",
)
def approval_required(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A post that nobody has approved (no `approved_by`).

    Checks:
      Every post needs `approved_by:`, the person who reviewed it before publication
      (set in the post or in the queue's `defaults:`). A post without it can be queued
      and checked (`queue add` accepts it) but is not published.

    Why:
      Hospitals' editorial charters (AP-HM, CH Périgueux) set a validation circuit
      before anything is published in the institution's name; the scheduling tools
      used by communication teams (Hootsuite, Sprout Social) have an approval step for
      the same reason. For health content a medical validator is advisable.

    Fix:
      Ask a reviewer (the communication lead, and a doctor for health advice) and add
      `approved_by: a.renier`.

    Examples:
      flagged:  author: c.dupuis (no approved_by)
      passes:   author: c.dupuis, approved_by: a.renier
    """
    if not (post.approved_by or "").strip():
        yield Problem("no `approved_by:`: the post has not been approved", None)


@rule(
    "approval-self",
    Severity.ERROR,
    fix="Have the post approved by someone other than its author.",
)
def approval_self(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A post approved by its own author.

    Checks:
      `approved_by` must designate someone other than `author`. Names are compared
      ignoring case, accents, spaces, dots, underscores, hyphens and an e-mail domain
      ("C. Dupuis", "c.dupuis", "c_dupuis", "C.DUPUIS@chu-angers.fr" are one person),
      the order of first and last name ("Dupuis Claire" = "claire.dupuis") and an
      initial for the first name ("c.dupuis" = "Claire Dupuis"). When `approved_by`
      lists several people ("a.renier, c.dupuis"), one of them other than the author is
      enough.

    Why:
      An approval is a second pair of eyes: "Users cannot approve their own posts"
      (Hootsuite's approval workflow). A self-approved post bypasses the validation
      circuit of the hospital's editorial charter.

    Fix:
      Ask a colleague to review the post and put their name in `approved_by`.

    Examples:
      flagged:  author: c.dupuis, approved_by: "C. Dupuis"
      passes:   author: c.dupuis, approved_by: a.renier
    """
    if not post.author or not (post.approved_by or "").strip():
        return
    if _self_approved(post.author, post.approved_by):
        yield Problem(
            f"approved by its own author ({post.approved_by!r} is {post.author!r}): ask someone else", "approved_by"
        )
