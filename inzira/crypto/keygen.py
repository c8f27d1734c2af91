"""Fresh Ed25519 key pairs from the operating system's randomness.

Kept apart from ``signatures`` so that the ledger core, which must be deterministic, cannot reach it.
"""

from __future__ import annotations

import os

from inzira.crypto.signatures import SEED_BYTES, KeyPair


def generate_keypair() -> KeyPair:
    return KeyPair.from_seed(os.urandom(SEED_BYTES))
