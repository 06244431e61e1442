"""An in-memory network adapter: a real Network that only posts parts, records them and fails on demand."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hospipost.networks.base import Image, Limits, Network, Part, PartSent, Rendering, Sent


class FakeAdapter(Network):
    """Publishes into ``self.published``; ``script`` holds exceptions (or callables) to raise first.

    Deletes from ``self.online`` into ``self.deleted`` (``delete_script`` fails on demand, as
    ``script`` does; a part already gone counts as deleted); with ``deletes`` False it is a
    network whose API cannot delete (the base class says what to do by hand).

    ``together``, when set, is a barrier every publish waits at: it only opens when that many
    networks publish at the same time (a deterministic test of parallel publishing).
    """

    label = "Fake"
    limits = Limits(
        max_length=100_000,
        count=len,
        length_unit="characters",
        max_images=10,
        max_image_bytes=10 * 1024 * 1024,
        supports_threads=True,
    )

    metric_words = {"views": "impressions", "likes": "likes", "comments": "replies", "shares": "reposts"}
    metrics_batch = 2

    def __init__(self, name: str, latency: float = 0.0, together: threading.Barrier | None = None) -> None:
        super().__init__(settings=None, credentials=None)  # type: ignore[arg-type]
        self.name = name  # type: ignore[misc]
        self.latency = latency
        self.together = together
        self.published: list[tuple[str, str, list[str]]] = []  # (key, part text, done)
        self.script: list[Exception | Callable[[int], None]] = []
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self._local = threading.local()  # the done list of the publish running in this thread
        self.prepares = False  # prepare each part (as a Meta container) before publishing it
        self.prepared: list[str] = []  # the ids of the parts prepared, in order
        self.online: list[str] = []  # the ids of the parts published and not deleted
        self.deleted: list[str] = []  # the ids of the parts deleted, in order
        self.delete_script: list[Exception | Callable[[str], None] | None] = []
        self.deletes = True
        self.figures: dict[str, dict[str, int]] = {}  # by part id; a published part not in it has made-up figures
        self.metrics_requests: list[list[str]] = []  # the ids each metrics request asked for
        self.metrics_script: list[Exception | None] = []

    def payload(self, rendering: Rendering, key: str | None = None) -> list[dict[str, Any]]:
        return [{"method": "POST", "url": f"https://fake/{self.name}", "text": part} for part in rendering.parts]

    def publish(
        self, rendering: Rendering, key: str, done: list[str], part_sent: PartSent, part_staged: PartSent | None = None
    ) -> Sent:
        self._local.done = list(done)
        return super().publish(
            Rendering(rendering.network, rendering.parts, [], rendering.language), key, done, part_sent, part_staged
        )

    @contextmanager
    def connection(self) -> Iterator[None]:
        if self.together is not None:
            self.together.wait(timeout=10)
        if self.latency:
            time.sleep(self.latency)
        yield None

    def upload_images(self, connection: Any, images: list[Image]) -> list[str]:
        return []

    def post_part(self, connection: Any, part: Part) -> str:
        if self.prepares and part.staged is None:
            with self.lock:
                self.prepared.append(f"{self.name}-container-{next(self.ids)}")
                part.stage(self.prepared[-1])
        with self.lock:
            step = self.script.pop(0) if self.script else None
        if isinstance(step, Exception):
            raise step
        if callable(step):
            step(part.index)
        with self.lock:
            self.published.append((part.key, part.text, list(self._local.done)))
            self.online.append(f"{self.name}-{next(self.ids)}")
            return self.online[-1]

    def delete_part(self, connection: Any, part_id: str) -> None:
        if not self.deletes:
            super().delete_part(connection, part_id)
        with self.lock:
            step = self.delete_script.pop(0) if self.delete_script else None
        if isinstance(step, Exception):
            raise step
        if callable(step):
            step(part_id)
        with self.lock:
            if part_id in self.online:  # a part already gone counts as deleted
                self.online.remove(part_id)
                self.deleted.append(part_id)

    def read_metrics(self, connection: Any, remote_ids: list[str], attempt: Any) -> dict[str, dict[str, int]]:
        with self.lock:
            self.metrics_requests.append(list(remote_ids))
            step = self.metrics_script.pop(0) if self.metrics_script else None
        if isinstance(step, Exception):
            raise step
        return {
            remote_id: self.figures.get(remote_id) or {"views": 100 * len(remote_id), "likes": len(remote_id)}
            for remote_id in remote_ids
            if remote_id in self.online or remote_id in self.figures
        }

    def post_url(self, remote_id: str) -> str:
        return f"https://{self.name}.example/{remote_id}"

    def verify(self) -> str:
        return f"@{self.name}"


class FakeNetworkSet:
    """One FakeAdapter per network name, handed out by an adapter factory."""

    def __init__(self, latency: float = 0.0, together: int = 0) -> None:
        self.adapters: dict[str, FakeAdapter] = {}
        self.latency = latency
        self.barrier = threading.Barrier(together) if together else None

    def __call__(self, name: str) -> FakeAdapter:
        return self.adapters.setdefault(name, FakeAdapter(name, self.latency, self.barrier))

    def __getitem__(self, name: str) -> FakeAdapter:
        return self(name)
