"""How a failed request becomes a delivery outcome: one classifier for every network.

What decides exactly-once is whether a request creating the post may have been processed:
a failure before the request left, or of a request that creates nothing visible, is
transient; a failure after a publishing request left is unknown. An adapter only adds its
network's own error codes (``Network.network_failure``) and says where the HTTP answer
is inside its SDK's errors (``Network.answer_of``); everything else is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from hospipost.wording import sentence as as_sentence

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hospipost.networks.base import Network

MAX_WAIT = timedelta(hours=1)
"""The longest a rate limit postpones a delivery, whatever reset time a network announces."""
RECONCILE = "check the account, then resolve the delivery with `hospipost reconcile`"


class DeliveryError(Exception):
    """A delivery did not go through; the message tells a person what happened and what to do.

    Every message reads as written prose: one line, a capital first letter, a full stop.
    """

    def __init__(self, message: str) -> None:
        super().__init__(as_sentence(message))


class TransientError(DeliveryError):
    """Nothing was published and trying again later may work (network down, 5xx, 429)."""

    def __init__(self, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class PermanentError(DeliveryError):
    """Nothing was published and retrying will not help (bad token, rejected content)."""


class NotFoundError(PermanentError):
    """The network has nothing at this address (HTTP 404): a wrong address, or a post deleted since."""


class UnknownOutcome(DeliveryError):
    """The request may have been processed (timeout after sending, duplicate refusal)."""


class Step(StrEnum):
    """The kind of request, by what a failure after it left means."""

    READ = "read"  # nothing changes: always safe to retry
    UPLOAD = "upload"  # media not attached to any post yet: invisible, safe to redo
    PUBLISH = "publish"  # the request that puts the post online: it may have been processed
    DELETE = "delete"  # retracting a published part: safe to repeat (a part already gone counts as deleted)
    METRICS = "metrics"  # reading published posts' figures (`hospipost stats fetch`): safe to repeat


@dataclass(frozen=True)
class Attempt:
    """What a request was doing: ``doing`` for messages, its step, how many thread parts are online."""

    doing: str
    step: Step = Step.PUBLISH
    online: int = 0

    @property
    def already(self) -> str:
        """The thread parts already online, as a clause to append to a message ("" when none)."""
        if not self.online:
            return ""
        if self.online == 1:
            return "; the first part of the thread is already online"
        return f"; the first {self.online} parts of the thread are already online"

    @property
    def nothing(self) -> str:
        """ "nothing was published" (or "nothing more", when parts of the thread are online); "it is still
        online" when deleting."""
        if self.step is Step.DELETE:
            return "it is still online"
        if self.step is Step.METRICS:
            return "no figures were read"
        return "nothing more was published" if self.online else "nothing was published"


@dataclass(frozen=True)
class Answer:
    """An HTTP answer the network gave: its status, headers and its own explanation (one line)."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""

    @property
    def ref(self) -> str:
        return f"HTTP {self.status}" + (f": {self.reason}" if self.reason else "")


def classify(network: Network, error: BaseException, attempt: Attempt) -> DeliveryError:
    """The outcome of ``error``: the network's own reading first, then HTTP statuses, then transport."""
    mapped = network.network_failure(error, attempt)
    if mapped is not None:
        return mapped
    answer = network.answer_of(error)
    if answer is not None:
        return by_status(network, answer, attempt)
    return by_transport(network, error, attempt)


def by_status(network: Network, answer: Answer, attempt: Attempt) -> DeliveryError:
    """The outcome of an HTTP error answer (or of a success whose body could not be read)."""
    who, doing, ref, already, nothing = network.who, attempt.doing, answer.ref, attempt.already, attempt.nothing
    status = answer.status
    if status == 429:
        retry_at = rate_limit_reset(answer.headers) or wait_until(network.rate_limit_wait)
        again = who_tries_again(attempt)
        return TransientError(
            f"{who}'s rate limit was reached while {doing} ({ref}); {nothing}, {again} after {retry_at:%H:%M} UTC"
            f"{already}",
            retry_at,
        )
    if status >= 500 or status == 408:
        return TransientError(
            f"{who} had a server error ({ref}) while {doing}; {who_tries_again(attempt)} later{already}"
        )
    if status < 300:
        return unreadable(network, attempt)
    if status < 400:
        return PermanentError(
            f"{who} answered {doing} with a redirect ({ref}, not followed); {nothing}: check"
            f" networks.{network.name}.api_base{already}"
        )
    if status in (401, 403) and attempt.step is Step.METRICS:
        return PermanentError(f"{who} refused {doing} ({ref}); {nothing}: {network.metrics_hint()}")
    if status == 401:
        return PermanentError(
            f"{who} refused the credentials while {doing} ({ref}); {nothing}: {network.credentials_hint()}{already}"
        )
    if status == 403:
        return PermanentError(f"{who} refused {doing} ({ref}); {nothing}: {network.permissions_hint(attempt)}{already}")
    if status == 404:
        return NotFoundError(
            f"{who} found nothing at this address while {doing} ({ref}); {nothing}: check"
            f" networks.{network.name} in config.yaml (and its api_base){already}"
        )
    if status == 413:
        return PermanentError(f"{who} refused {doing} as too large ({ref}); {nothing}: shrink it, then publish again")
    return PermanentError(f"{who} rejected {doing} ({ref}); {nothing}: fix the post, then publish again{already}")


def by_transport(network: Network, error: BaseException, attempt: Attempt) -> DeliveryError:
    """The outcome of a failure without an HTTP answer: did the request leave?"""
    from hospipost.networks import http

    who, doing, already, nothing = network.who, attempt.doing, attempt.already, attempt.nothing
    if http.invalid_address(error):
        return PermanentError(
            f"hospipost could not build the request while {doing} ({type(error).__name__}); {nothing}: check"
            f" networks.{network.name}.api_base in config.yaml{already}"
        )
    before = http.never_left(error)
    if before is not None:
        return TransientError(
            f"could not reach {who} at {network.api_base} while {doing} ({before}); {_later(network, attempt)}{already}"
        )
    if http.unreadable_body(error):
        return unreadable(network, attempt)
    if not http.is_transport_error(error):
        raise error
    what = (
        f"{who} did not answer within {network.timeout:g} s"
        if http.is_timeout(error)
        else f"the connection to {who} broke ({http.failure_name(error)})"
    )
    if attempt.step is Step.PUBLISH and not network.idempotent_publish:
        return UnknownOutcome(
            f"{what} while {doing}, after the request was sent: it may be online; {network.unknown_hint()}{already}"
        )
    return TransientError(f"{what} while {doing}; {_later(network, attempt)}{already}")


def unreadable(network: Network, attempt: Attempt) -> DeliveryError:
    """A success answer whose body cannot be read: the post may be online only if it was a publish."""
    if attempt.step is Step.PUBLISH and not network.idempotent_publish:
        return UnknownOutcome(
            f"{network.who} answered {attempt.doing} with an unreadable body: it may be online;"
            f" {network.unknown_hint()}{attempt.already}"
        )
    return TransientError(
        f"{network.who} answered {attempt.doing} with an unreadable body; {_later(network, attempt)}{attempt.already}"
    )


def who_tries_again(attempt: Attempt) -> str:
    """Who tries again: a read (``networks check``) is the user's to redo, a delivery hospipost's."""
    if attempt.step is Step.METRICS:
        return "the next `hospipost stats fetch` tries again"
    return "try again" if attempt.step is Step.READ else "hospipost will try again"


def _later(network: Network, attempt: Attempt) -> str:
    """What a transient failure leaves: nothing published (unless a read), and who tries again."""
    if attempt.step is Step.READ:
        return "try again later"
    if attempt.step is Step.METRICS:
        return f"{attempt.nothing}, {who_tries_again(attempt)}"
    return f"{_safe(network, attempt)}, hospipost will try again later"


def _safe(network: Network, attempt: Attempt) -> str:
    if attempt.step is Step.PUBLISH:  # only reached when publishing is idempotent
        return network.idempotency_note or attempt.nothing
    return attempt.nothing


def wait_until(wait: timedelta) -> datetime:
    return datetime.now(UTC) + min(wait, MAX_WAIT)


def retry_in(seconds: Any, default: timedelta) -> datetime:
    """When to try again after a wait of ``seconds`` (``default`` when unusable), at most MAX_WAIT away."""
    import math

    try:
        wait = float(seconds) if seconds is not None else None
    except (TypeError, ValueError, OverflowError):
        wait = MAX_WAIT.total_seconds()  # a number too large for a float: the longest wait
    if wait is None or math.isnan(wait) or wait < 0:
        wait = default.total_seconds()
    return datetime.now(UTC) + timedelta(seconds=min(wait, MAX_WAIT.total_seconds()))


def retry_time(when: datetime | None) -> datetime | None:
    """A reset time a network announced, brought back to at most MAX_WAIT from now."""
    if when is None:
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return min(when, datetime.now(UTC) + MAX_WAIT)


def reset_header(raw: object, *, epoch: bool = False) -> datetime | None:
    """The time a rate-limit header names, at most MAX_WAIT from now; None when it is unreadable.

    A number is seconds to wait (``Retry-After``) or, with ``epoch``, a Unix time
    (``x-rate-limit-reset``); otherwise an HTTP or ISO date. Absurd values never raise.
    """
    import math
    from email.utils import parsedate_to_datetime

    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    now = datetime.now(UTC)
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        if not math.isfinite(number) or number < 0:
            return None
        if epoch:
            return min(datetime.fromtimestamp(min(number, now.timestamp() + 10**9), UTC), now + MAX_WAIT)
        return now + timedelta(seconds=min(number, MAX_WAIT.total_seconds()))
    for parse in (parsedate_to_datetime, datetime.fromisoformat):
        try:
            return retry_time(parse(text))
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
    return None


def rate_limit_reset(headers: Mapping[str, str]) -> datetime | None:
    """When a rate limit frees, from the usual headers: ``Retry-After`` (seconds or a date),
    ``RateLimit-Reset``/``X-RateLimit-Reset`` (a Unix time or a date); None when none is readable."""
    lowered = {str(key).lower(): value for key, value in headers.items()}
    found = reset_header(lowered.get("retry-after"))
    for name in ("ratelimit-reset", "x-ratelimit-reset", "x-rate-limit-reset"):
        found = found or reset_header(lowered.get(name), epoch=True)
    return found
