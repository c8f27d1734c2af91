"""The verifier pool: verdicts in order, on every core, whatever else a batch holds."""

from __future__ import annotations

import hashlib

from inzira.crypto import KeyPair
from inzira.crypto.verifier_pool import Verifier


def _checks(count: int) -> list[tuple[bytes, bytes, bytes]]:
    key = KeyPair.from_seed(hashlib.sha256(b"pool").digest())
    messages = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(count)]
    return [(key.public_key, m, key.sign(m)) for m in messages]


def test_one_odd_sized_signature_does_not_push_the_whole_batch_onto_one_core():
    """Before: a single key or signature of the wrong length (any member may send one) made the pool check
    the whole batch inline, on one core: a cheap way for a hostile member to halve the ledger's throughput."""
    checks = _checks(300)
    checks[7] = (checks[7][0][:31], checks[7][1], checks[7][2])  # a 31-byte key
    checks[8] = (checks[8][0], checks[8][1], checks[8][2][:63])  # a 63-byte signature
    checks[9] = (checks[9][0], checks[9][1], bytes(64))  # right sizes, wrong signature
    verifier = Verifier(workers=2)
    try:
        verdicts = verifier.verify_many(checks)
        assert verifier._procs, "the batch was checked inline, not by the worker processes"
    finally:
        verifier.close()
    assert verdicts == [i not in (7, 8, 9) for i in range(300)]


def test_small_batches_and_a_single_worker_check_inline():
    checks = _checks(10)
    verifier = Verifier(workers=2)
    try:
        assert verifier.verify_many(checks) == [True] * 10
        assert not verifier._procs
    finally:
        verifier.close()
