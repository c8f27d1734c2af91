"""The ephemeral pull consumers a ``LogReader`` reads through: created at a start sequence, deleted behind it.

A consumer holds nothing the reader needs (the cursor lives in the reader), so one that broke is dropped and a
new one made; dropping must never delay the next read, even when the dropped consumer's server is dead. So a
deletion is best effort in the background, and the server deletes a consumer left behind once it goes idle.
"""

from __future__ import annotations

import asyncio
import uuid

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from inzira.ordering.jetstream.retry import RetryPolicy, with_retries

INACTIVE_THRESHOLD_MS = 60_000  # the server deletes a consumer whose reader went away
DELETIONS_IN_FLIGHT_MAX = 16


class Consumers:
    """Consumers of ``subject`` on ``stream``, one reader's, made and deleted through ``js``."""

    def __init__(self, js: JetStreamContext, stream: str, subject: str, policy: RetryPolicy) -> None:
        self._js = js
        self._stream = stream
        self._subject = subject
        self._policy = policy
        self._deletions: set[asyncio.Task[None]] = set()

    async def create(self, from_seq: int) -> str:
        """A new consumer starting at ``from_seq``: its name. Every attempt that did not end up the consumer is
        deleted, all of them when none did (the error is raised then)."""
        names: list[str] = []

        async def create() -> str:
            # A new name on every attempt: a timed-out create may have been placed on a server that
            # just died, and asking again under the same name would wait on that placement forever.
            names.append(f"reader-{uuid.uuid4().hex}")
            await self._js.add_consumer(self._stream, self._config(names[-1], from_seq))
            return names[-1]

        try:
            consumer = await with_retries(f"consumer on {self._stream}", self._policy, create)
        except BaseException:
            for name in names:
                self.delete(name)
            raise
        for name in names[:-1]:
            self.delete(name)
        return consumer

    def delete(self, name: str) -> None:
        """Deletes ``name`` in the background (not at all with too many deletions in flight: it expires)."""
        if len(self._deletions) < DELETIONS_IN_FLIGHT_MAX:
            task = asyncio.create_task(self._delete(name))
            self._deletions.add(task)
            task.add_done_callback(self._deletions.discard)

    async def wait_deleted(self) -> None:
        """The deletions in flight, given at most one attempt's time."""
        if self._deletions:
            await asyncio.wait(self._deletions, timeout=self._policy.attempt_timeout_s)

    def _config(self, name: str, from_seq: int) -> ConsumerConfig:
        return ConsumerConfig(
            name=name,
            filter_subject=self._subject,
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=from_seq,
            ack_policy=AckPolicy.NONE,
            inactive_threshold=INACTIVE_THRESHOLD_MS / 1000,
            mem_storage=True,
            num_replicas=1,
        )

    async def _delete(self, name: str) -> None:
        try:
            await self._js.delete_consumer(self._stream, name)
        except Exception:  # noqa: BLE001 (best effort; the inactivity threshold cleans up anyway)
            pass
