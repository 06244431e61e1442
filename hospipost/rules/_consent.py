"""What consent-image and pii-patient-name share: a post's consent reference checked
against the register (consents.yaml), read once per check run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hospipost.errors import InputError
from hospipost.rules.contracts import CheckContext, Severity

if TYPE_CHECKING:
    from hospipost.consents import Register
    from hospipost.posts import Post

_CACHE_KEY = "consents"


def register(ctx: CheckContext) -> Register | InputError:
    """The register of this run (loaded on the first question), or why it cannot be read."""
    found = ctx.cache.get(_CACHE_KEY)
    if found is None:
        from hospipost.consents import load_register

        try:
            found = load_register(ctx.config)
        except InputError as error:
            found = error
        ctx.cache[_CACHE_KEY] = found
    return found


def consent_problem(
    post: Post, ctx: CheckContext, reference: str, needs: tuple[str, ...]
) -> tuple[str, Severity] | None:
    """What is wrong with the post's use of consent ``reference`` (a clause, and the
    severity at most), or None when the register allows it. A register that cannot be read
    blocks the post (an error); no register at all is a warning: the reference cannot be
    verified, but nothing says it is wrong."""
    from hospipost.consents import verify

    found = register(ctx)
    if isinstance(found, InputError):
        return f"consent {reference} cannot be verified: {found.format_message()}", Severity.ERROR
    if post.every is None:
        last_day = ctx.local(post.at).date() if post.at else None
    else:
        last_day = ctx.local(post.until).date() if post.until else None
    verdict = verify(
        found,
        reference,
        needs=needs,
        networks=post.networks,
        last_day=last_day,
        today=ctx.local(ctx.now).date(),
    )
    if verdict.problem is None:
        return None
    return verdict.problem, Severity.WARNING if verdict.unverifiable else Severity.ERROR
