"""The block-cutter lease: one key in a replicated JetStream key-value bucket.

The value is {holder, expires_at_ms, term}. Every write is a compare-and-set on the key's revision
(`create` for the first one, `update(last=revision)` after), so of two contenders reading the same
revision only one write lands: two holders can never both hold the lease. A holder that stops
renewing loses it once `expires_at_ms` passes; whoever takes it then writes `term + 1`, the fencing
token the cutter puts in its blocks.

Expiry is judged on wall clocks, so clocks should agree to well within the ttl (NTP). Skew can only
cause an early takeover, never two blocks at one height: the blocks stream's expected-last-sequence
check refuses the stale holder's append. A holder must stop cutting once its `remaining_ms` is spent.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import msgspec
from nats.aio.client import Client as NATS
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from inzira.decoding import decode_json
from inzira.ordering.jetstream.config import OrderingConfig
from inzira.ordering.jetstream.errors import LeaseLostError
from inzira.ordering.jetstream.retry import RetryPolicy, with_retries

LEASE_KEY = "cutter"
HOLDER_CHARS_MAX = 128
TTL_MS_MAX = 10 * 60 * 1000
OPEN_NOT_FOUND_ATTEMPTS = 20
OPEN_NOT_FOUND_PAUSE_MS = 250


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class LeaseRecord:
    """What the bucket holds. expires_at_ms == 0 means released."""

    holder: str
    expires_at_ms: int
    term: int

    def encode(self) -> bytes:
        return json.dumps({"holder": self.holder, "expires_at_ms": self.expires_at_ms, "term": self.term}).encode()

    @classmethod
    def decode(cls, raw: bytes) -> LeaseRecord:
        """The stored record; a value that is not one (any cutter-eligible member can write the bucket) is a
        released lease of term 0, which the next holder overwrites, rather than an error that stops it."""
        try:
            return decode_json(raw, cls)
        except msgspec.DecodeError:
            return cls("", 0, 0)


@dataclass(frozen=True, slots=True)
class Lease:
    """A lease as held by this process; `revision` is what the next renew or release must match."""

    holder: str
    term: int
    expires_at_ms: int
    revision: int

    def remaining_ms(self, now_ms: int) -> int:
        return max(0, self.expires_at_ms - now_ms)


class CutterLease:
    def __init__(self, kv: KeyValue, policy: RetryPolicy | None = None, clock_ms: Callable[[], int] = wall_clock_ms):
        self._kv = kv
        self._policy = policy or RetryPolicy()
        self._clock_ms = clock_ms

    @classmethod
    async def open(
        cls,
        nc: NATS,
        cfg: OrderingConfig,
        policy: RetryPolicy | None = None,
        clock_ms: Callable[[], int] = wall_clock_ms,
    ) -> CutterLease:
        """Binds to the bucket made by `ensure_streams`.

        Several peers starting together all create the bucket; one's creation may answer before the
        bucket is visible to the others' look-ups, so "not found" is asked again a few times.
        """
        retry = policy or RetryPolicy()
        js = nc.jetstream(timeout=retry.attempt_timeout_s)
        attempts = 0
        while True:
            try:
                kv = await with_retries("open lease bucket", retry, lambda: js.key_value(cfg.lease_bucket))
                return cls(kv, retry, clock_ms)
            except BucketNotFoundError:
                attempts += 1
                if attempts >= OPEN_NOT_FOUND_ATTEMPTS:
                    raise
                await asyncio.sleep(OPEN_NOT_FOUND_PAUSE_MS / 1000)

    async def current(self) -> tuple[LeaseRecord, int] | None:
        """The stored record and its revision, or None if nobody ever took the lease.

        A key deleted or purged (any cutter-eligible member can) holds a marker with a revision: a released
        lease at that revision. Read as never written, every write expected no entry, met the marker and
        failed, and no block was cut again."""
        try:
            entry = await with_retries("read lease", self._policy, lambda: self._kv.get(LEASE_KEY))
        except KeyNotFoundError as err:
            marker = err.entry
            if marker is None or not marker.revision:
                return None
            return LeaseRecord("", 0, 0), marker.revision
        return LeaseRecord.decode(entry.value or b""), entry.revision or 0

    async def try_acquire(self, holder: str, ttl_ms: int) -> Lease | None:
        """Takes the lease if it is free, expired, released, deleted, expiring past any ttl, or already ours;
        None if someone holds it.

        A new holding gets term + 1; re-acquiring a lease we still hold keeps the term (a renew).
        """
        self._check(holder, ttl_ms)
        now_ms = self._clock_ms()
        found = await self.current()
        if found is None:
            record, revision = LeaseRecord(holder, now_ms + ttl_ms, 1), 0
        else:
            stored, revision = found
            # No honest holder writes an expiry past the longest ttl: one that does (a cutter-eligible
            # member's single write, after which it may leave) would hold the lease for ever.
            live = now_ms < stored.expires_at_ms <= now_ms + TTL_MS_MAX
            if live and stored.holder != holder:
                return None
            term = stored.term if live else stored.term + 1
            record = LeaseRecord(holder, now_ms + ttl_ms, term)
        new_revision = await self._write(record, revision)
        if new_revision is None:
            return None
        return Lease(holder, record.term, record.expires_at_ms, new_revision)

    async def renew(self, lease: Lease, ttl_ms: int) -> Lease:
        """Extends our lease; raises LeaseLostError if anyone wrote the key since we did."""
        self._check(lease.holder, ttl_ms)
        record = LeaseRecord(lease.holder, self._clock_ms() + ttl_ms, lease.term)
        new_revision = await self._write(record, lease.revision)
        if new_revision is None:
            raise LeaseLostError(f"{lease.holder} lost the lease of term {lease.term}")
        return Lease(lease.holder, lease.term, record.expires_at_ms, new_revision)

    async def release(self, lease: Lease) -> bool:
        """Gives the lease up at once (keeping the term); False if it was no longer ours."""
        record = LeaseRecord(lease.holder, 0, lease.term)
        return await self._write(record, lease.revision) is not None

    async def _write(self, record: LeaseRecord, last_revision: int) -> int | None:
        """Compare-and-set; the new revision, or None when the key moved past `last_revision`."""
        value = record.encode()
        attempts = 0

        async def attempt() -> int:
            nonlocal attempts
            attempts += 1
            # last=0 means "the key has never been written": a create. Not kv.create(), which after
            # losing a race looks the key up again and can fail with KeyNotFoundError while the
            # winner's write is still in flight.
            return await self._kv.update(LEASE_KEY, value, last=last_revision)

        try:
            return await with_retries("write lease", self._policy, attempt)
        except KeyWrongLastSequenceError:
            if attempts == 1:
                return None
        # A retry found the key moved: maybe by our own earlier attempt whose answer was lost.
        found = await self.current()
        if found is not None and found[0] == record:
            return found[1]
        return None

    @staticmethod
    def _check(holder: str, ttl_ms: int) -> None:
        if not 1 <= len(holder) <= HOLDER_CHARS_MAX:
            raise ValueError(f"holder must be 1..{HOLDER_CHARS_MAX} characters")
        if not 1 <= ttl_ms <= TTL_MS_MAX:
            raise ValueError(f"ttl_ms must be in 1..{TTL_MS_MAX}")
