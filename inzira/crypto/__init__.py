"""Inzira's cryptography: the pure parts re-exported here, the rest imported by name.

``hashing`` (domain-separated SHA-256) and ``signatures`` (Ed25519, deterministic) are safe for the
ledger core and re-exported below. ``keygen`` (OS randomness) and ``verifier_pool`` (worker processes)
are not, and are deliberately not imported here: import them as ``inzira.crypto.keygen`` and
``inzira.crypto.verifier_pool``.
"""

from inzira.crypto.hashing import DIGEST_BYTES, Digest, Hasher, domain_prefix, hash_domain, sha256
from inzira.crypto.signatures import (
    PUBLIC_KEY_BYTES,
    SEED_BYTES,
    SIGNATURE_BYTES,
    KeyPair,
    PublicKey,
    Signature,
    verify,
)

__all__ = [
    "DIGEST_BYTES",
    "PUBLIC_KEY_BYTES",
    "SEED_BYTES",
    "SIGNATURE_BYTES",
    "Digest",
    "Hasher",
    "KeyPair",
    "PublicKey",
    "Signature",
    "domain_prefix",
    "hash_domain",
    "sha256",
    "verify",
]
