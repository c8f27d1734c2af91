"""The block-cutter lease: exclusive, expires, taken over with a higher term (fencing token)."""

from __future__ import annotations

import asyncio

import pytest

from inzira.network.nats_cluster import NatsCluster
from inzira.ordering.jetstream import CutterLease, LeaseLostError
from tests.jetstream.helpers import ordering, run


class FakeClock:
    def __init__(self) -> None:
        self.now_ms = 1_700_000_000_000

    def __call__(self) -> int:
        return self.now_ms


def test_lease_is_exclusive_until_it_expires_then_moves_with_a_new_term(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster) as o:
            clock = FakeClock()
            lease = await CutterLease.open(o.nc, o.cfg, clock_ms=clock)
            a = await lease.try_acquire("cutter-a", ttl_ms=5_000)
            assert a is not None and a.term == 1
            assert await lease.try_acquire("cutter-b", ttl_ms=5_000) is None

            clock.now_ms += 4_000
            a = await lease.renew(a, ttl_ms=5_000)  # renewing keeps the term
            assert a.term == 1
            clock.now_ms += 4_000
            assert await lease.try_acquire("cutter-b", ttl_ms=5_000) is None  # renewed: still a's

            clock.now_ms += 1_001  # a stopped renewing: its ttl ran out
            b = await lease.try_acquire("cutter-b", ttl_ms=5_000)
            assert b is not None and b.term == 2
            with pytest.raises(LeaseLostError):
                await lease.renew(a, ttl_ms=5_000)  # the old holder finds out it lost
            assert await lease.release(a) is False

            assert await lease.release(b) is True  # released: free at once, term moves on
            a = await lease.try_acquire("cutter-a", ttl_ms=5_000)
            assert a is not None and a.term == 3
            stored = await lease.current()
            assert stored is not None and stored[0].holder == "cutter-a" and stored[0].term == 3

    run(body())


def test_holder_that_stops_renewing_loses_the_lease_in_real_time(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster) as o:
            lease = await CutterLease.open(o.nc, o.cfg)
            a = await lease.try_acquire("cutter-a", ttl_ms=60_000)
            assert a is not None
            a = await lease.renew(a, ttl_ms=1_000)
            await asyncio.sleep(1.5)
            b = await lease.try_acquire("cutter-b", ttl_ms=60_000)
            assert b is not None and b.term == a.term + 1

    run(body())


def test_many_contenders_at_once_exactly_one_holds(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        for _ in range(3):  # fresh buckets: the very first write (a create) is the tightest race
            async with ordering(nats_cluster) as o:
                leases = [await CutterLease.open(o.nc, o.cfg) for _ in range(8)]
                for round_ in range(4):
                    got = await asyncio.gather(
                        *(c.try_acquire(f"cutter-{i}", ttl_ms=60_000) for i, c in enumerate(leases))
                    )
                    holders = [g for g in got if g is not None]
                    assert len(holders) == 1, got
                    assert holders[0].term == round_ + 1
                    assert await leases[0].release(holders[0])

    run(body())


# Within the bucket's 1 KB: msgspec raises RecursionError descending, before it finds the brackets unclosed.
NESTED_TOO_DEEP = b'{"holder": "x", "z": ' + b"[" * 1_000


@pytest.mark.parametrize("stored", [b"not json", b"[]", b'{"holder": "x"}',
                                    b'{"holder": "x", "expires_at_ms": "soon", "term": 1}', NESTED_TOO_DEEP])
def test_a_value_that_is_no_lease_record_counts_as_free(nats_cluster: NatsCluster, stored: bytes) -> None:
    """A cutter-eligible member may write anything in the bucket: the others take the lease over it, never
    stop on it (an exception out of the lease keeper stopped every other cutter's peer)."""

    async def body() -> None:
        async with ordering(nats_cluster) as o:
            lease = await CutterLease.open(o.nc, o.cfg)
            kv = await o.nc.jetstream().key_value(o.cfg.lease_bucket)
            await kv.put("cutter", stored)
            taken = await lease.try_acquire("cutter-a", ttl_ms=5_000)
            assert taken is not None
            found = await lease.current()
            assert found is not None and found[0].holder == "cutter-a"

    run(body())
