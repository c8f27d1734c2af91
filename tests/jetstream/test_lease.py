"""The block-cutter lease: exclusive, expires, taken over with a higher term (fencing token)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from inzira.network.nats_cluster import NatsCluster
from inzira.ordering.jetstream import CutterLease, LeaseLostError, connect
from inzira.ordering.jetstream.lease import LEASE_KEY, TTL_MS_MAX, LeaseRecord
from tests.jetstream.helpers import member_credentials, ordering, run


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


@pytest.mark.parametrize("how", ["delete", "purge"])
def test_a_deleted_or_purged_lease_key_is_taken_over(nats_cluster: NatsCluster, how: str) -> None:
    """A cutter-eligible member may delete or purge the key (one message: a marker on the key's subject). Read as
    "never written", every contender wrote expecting no entry, met the marker, and nobody cut blocks again."""

    async def body() -> None:
        async with ordering(nats_cluster) as o:
            clock = FakeClock()
            lease = await CutterLease.open(o.nc, o.cfg, clock_ms=clock)
            held = await lease.try_acquire("cutter-a", ttl_ms=5_000)
            assert held is not None and held.term == 1
            kv = await o.nc.jetstream().key_value(o.cfg.lease_bucket)
            await (kv.delete("cutter") if how == "delete" else kv.purge("cutter"))
            taken = await lease.try_acquire("cutter-b", ttl_ms=5_000)
            assert taken is not None and taken.term == 1  # nothing to fence: the term starts over
            assert await lease.try_acquire("cutter-a", ttl_ms=5_000) is None  # and it is exclusive again
            renewed = await lease.renew(taken, ttl_ms=5_000)
            assert renewed.holder == "cutter-b"

    run(body())


def test_a_lease_written_to_expire_past_any_ttl_counts_as_free(nats_cluster: NatsCluster) -> None:
    """No honest holder writes an expiry further ahead than the longest ttl: a record that does (a cutter-eligible
    member's one message, after which it may leave) held the lease for ever and no block was cut again."""

    async def body() -> None:
        async with ordering(nats_cluster) as o:
            clock = FakeClock()
            lease = await CutterLease.open(o.nc, o.cfg, clock_ms=clock)
            kv = await o.nc.jetstream().key_value(o.cfg.lease_bucket)
            forever = LeaseRecord("orderer-gone", clock.now_ms + TTL_MS_MAX + 1, 7)
            await kv.put(LEASE_KEY, forever.encode())
            taken = await lease.try_acquire("cutter-a", ttl_ms=5_000)
            assert taken is not None and taken.term == 8
            longest = LeaseRecord("orderer-b", clock.now_ms + TTL_MS_MAX, 9)  # an honest write, at the limit
            await kv.put(LEASE_KEY, longest.encode())
            assert await lease.try_acquire("cutter-a", ttl_ms=5_000) is None

    run(body())


def test_a_cutter_eligible_member_may_delete_the_key_and_the_others_still_cut(nats_cluster: NatsCluster,
                                                                              tmp_path: Path) -> None:
    """The same, through the permissions a real cutter-eligible member has."""

    async def body() -> None:
        async with ordering(nats_cluster, direct_reads=True) as o:
            creds = await asyncio.to_thread(member_credentials, nats_cluster, tmp_path, o.cfg, ["carol", "dave"],
                                            {"carol", "dave"})
            carol = await connect(nats_cluster.urls, "test-carol", credentials=creds["carol"])
            dave = await connect(nats_cluster.urls, "test-dave", credentials=creds["dave"])
            try:
                kv = await carol.jetstream().key_value(o.cfg.lease_bucket)
                lease = await CutterLease.open(dave, o.cfg)
                assert await lease.try_acquire("orderer-dave", ttl_ms=5_000) is not None
                await kv.delete(LEASE_KEY)
                await kv.purge(LEASE_KEY)
                assert await lease.try_acquire("orderer-dave", ttl_ms=5_000) is not None
            finally:
                await carol.close()
                await dave.close()

    run(body())
