"""Telling a human: a command and/or a webhook from config, run when a delivery fails,
is of unknown outcome, is missed or blocked — so a failed heat-wave alert reaches someone.

The command gets the event as JSON on its standard input and as HOSPIPOST_EVENT_*
environment variables; the webhook gets the same JSON in a POST. Neither ever receives a
credential. A hook that fails or hangs is logged and never stops publishing.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hospipost.config import Config
    from hospipost.publisher import Outcome

log = logging.getLogger(__name__)
HOOK_TIMEOUT = 20


def event(outcome: Outcome, config: Config) -> dict[str, Any]:
    return {
        "organisation": config.organisation,
        "post": outcome.post_id,
        "network": outcome.network,
        "state": outcome.state,
        "message": outcome.message,
        "url": outcome.url,
        "retry_at": outcome.retry_at.isoformat() if outcome.retry_at else None,
        "action": outcome.action,  # publish, or retract: a post deleted from the network
    }


def notify(outcomes: Iterable[Outcome], config: Config) -> int:
    """Run the configured hooks for the outcomes that need a human; return how many events."""
    settings = config.notify
    if not (settings.command or settings.webhook):
        return 0
    events = [event(outcome, config) for outcome in outcomes if outcome.state in settings.states]
    for item in events:
        if settings.command:
            _run_command(settings.command, item, config)
        if settings.webhook:
            _post_webhook(settings.webhook, item)
    return len(events)


def _run_command(command: str, item: dict[str, Any], config: Config) -> None:
    env = {**_safe_environment(config), **{f"HOSPIPOST_EVENT_{k.upper()}": str(v or "") for k, v in item.items()}}
    try:
        result = subprocess.run(
            command,
            shell=True,
            input=json.dumps(item, ensure_ascii=False),
            text=True,
            env=env,
            cwd=config.root,
            capture_output=True,
            timeout=HOOK_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        log.error("notify.command did not finish within %s s", HOOK_TIMEOUT)
        return
    if result.returncode:
        log.error("notify.command exited with status %s: %s", result.returncode, result.stderr.strip()[:300])


def _safe_environment(config: Config) -> dict[str, str]:
    """The environment without the credentials config names: a hook never needs a network token."""
    from hospipost.credentials import FILE_ENV

    secret_names = {FILE_ENV} | {
        value
        for settings in config.networks.values()
        for key, value in settings.options.items()
        if key.endswith("_env") and value
    }
    return {name: value for name, value in os.environ.items() if name not in secret_names}


def _post_webhook(url: str, item: dict[str, Any]) -> None:
    from urllib.error import URLError
    from urllib.request import Request, urlopen

    request = Request(
        url,
        data=json.dumps(item, ensure_ascii=False).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "hospipost"},
    )
    try:
        with urlopen(request, timeout=10) as response:
            response.read()
    except (URLError, OSError, ValueError) as error:
        log.error("notify.webhook failed: %s", getattr(error, "reason", error))
