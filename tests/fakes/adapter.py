"""An in-memory network adapter: records what it publishes and fails on demand."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from hospipost.networks.base import Rendering, Sent


class FakeAdapter:
    """Publishes into ``self.published``; ``script`` holds exceptions (or callables) to raise first."""

    def __init__(self, name: str, latency: float = 0.0) -> None:
        self.name = name
        self.latency = latency
        self.published: list[tuple[str, str, list[str]]] = []  # (key, part text, done)
        self.script: list[Exception | Callable[[int], None]] = []
        self.lock = threading.Lock()
        self.ids = itertools.count(1)

    def payload(self, rendering: Rendering) -> list[dict[str, Any]]:
        return [{"method": "POST", "url": f"https://fake/{self.name}", "text": part} for part in rendering.parts]

    def publish(self, rendering: Rendering, key: str, done: list[str], part_sent) -> Sent:
        if self.latency:
            time.sleep(self.latency)
        first = done[0] if done else None
        for index, part in enumerate(rendering.parts):
            if index < len(done):
                continue
            with self.lock:
                step = self.script.pop(0) if self.script else None
            if isinstance(step, Exception):
                raise step
            if callable(step):
                step(index)
            with self.lock:
                remote_id = f"{self.name}-{next(self.ids)}"
                self.published.append((key, part, list(done)))
            part_sent(index, remote_id)
            first = first or remote_id
        return Sent(first, f"https://{self.name}.example/{first}")

    def verify(self) -> str:
        return f"@{self.name}"


class FakeNetworkSet:
    """One FakeAdapter per network name, handed out by an adapter factory."""

    def __init__(self, latency: float = 0.0) -> None:
        self.adapters: dict[str, FakeAdapter] = {}
        self.latency = latency

    def __call__(self, name: str) -> FakeAdapter:
        return self.adapters.setdefault(name, FakeAdapter(name, self.latency))

    def __getitem__(self, name: str) -> FakeAdapter:
        return self(name)
