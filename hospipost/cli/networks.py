"""`hospipost networks check`: verify each enabled network's credentials without posting."""

from __future__ import annotations

import re
from datetime import datetime

import click

from hospipost.cli.context import AppContext, pass_app


@click.group()
def networks() -> None:
    """The configured networks."""


@networks.command("check")
@pass_app
def check_networks(app: AppContext) -> None:
    """Verify each enabled network's credentials with a read-only call (nothing is posted).

    \b
    Example:
      hospipost networks check
    """
    from concurrent.futures import ThreadPoolExecutor

    from hospipost.credentials import Credentials, CredentialsError, redact
    from hospipost.networks import network_class
    from hospipost.networks.base import DeliveryError, TransientError
    from hospipost.networks.terms import notices

    config = app.config
    enabled = config.enabled_networks()
    if not enabled:
        click.echo("No network is enabled in config.yaml.")
        raise SystemExit(1)
    credentials = Credentials()

    def verify(name: str) -> tuple[str, bool, str]:
        cls = network_class(name)
        try:
            return cls.label, True, cls(config.networks[name], credentials, config.cache_dir).verify()
        except DeliveryError as error:
            message = _check_wording(str(error), isinstance(error, TransientError))
            return cls.label, False, redact(message, credentials.configured(config))
        except CredentialsError as error:
            return cls.label, False, redact(str(error), credentials.configured(config))

    with ThreadPoolExecutor(max_workers=len(enabled)) as pool:
        results = list(pool.map(verify, enabled))
    today = datetime.now(config.timezone).date()
    for name, (label, ok, message) in zip(enabled, results, strict=True):
        click.echo(f"{'✔' if ok else '✖'} {label}: {message}")
        for notice in notices(name, config.networks[name], today):
            click.echo(f"  ⚠ {notice}")
    raise SystemExit(0 if all(ok for _, ok, _ in results) else 1)


# The adapters word their errors for a publication ("nothing was published, hospipost will
# try again later"); a credentials check published nothing and retries nothing by itself.
_PUBLISHING_CLAUSE = re.compile(
    r"\s*[;:,.]?\s*(?:nothing (?:more )?was (?:published|posted|sent)|hospipost will try again)\b.*$", re.DOTALL
)


def _check_wording(message: str, transient: bool) -> str:
    """The network's answer to a credentials check, without the publishing advice."""
    reason = _PUBLISHING_CLAUSE.sub("", message).rstrip(" ;:,.")
    reason = reason[:1].upper() + reason[1:]
    if transient:
        return f"{reason}. The credentials could not be checked this time: run hospipost networks check again later."
    return f"{reason}. Fix the credentials or the account's settings, then run hospipost networks check again."
