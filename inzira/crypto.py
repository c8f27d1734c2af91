"""Ed25519 keys and signatures (libsodium through PyNaCl) and domain-separated SHA-256.

Every hash Inzira commits to is taken under a domain tag, so that bytes hashed for one purpose (a
transaction body, a block header, a quote) can never be mistaken for another.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NewType, Sequence

import nacl.bindings
import nacl.exceptions
import nacl.signing

PublicKey = NewType("PublicKey", bytes)  # 32 bytes
Signature = NewType("Signature", bytes)  # 64 bytes
Digest = NewType("Digest", bytes)  # 32 bytes, SHA-256

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
DIGEST_BYTES = 32
SEED_BYTES = 32


def domain_prefix(domain: str) -> bytes:
    """The bytes put before the data for a domain: its length then its name."""
    tag = domain.encode()
    if not 0 < len(tag) < 256:
        raise ValueError("a domain tag is 1 to 255 bytes")
    return bytes([len(tag)]) + tag


def hash_domain(domain: str, *parts: bytes) -> Digest:
    h = hashlib.sha256(domain_prefix(domain))
    for part in parts:
        h.update(part)
    return Digest(h.digest())


class Hasher:
    """A domain fixed once, for hot paths that hash many small messages under it."""

    __slots__ = ("_base",)

    def __init__(self, domain: str) -> None:
        self._base = hashlib.sha256(domain_prefix(domain))

    def __call__(self, data: bytes) -> Digest:
        h = self._base.copy()
        h.update(data)
        return Digest(h.digest())


def sha256(data: bytes) -> Digest:
    return Digest(hashlib.sha256(data).digest())


@dataclass(frozen=True, slots=True)
class KeyPair:
    """An Ed25519 key pair. The seed is the secret; keep it in a file only its owner can read."""

    seed: bytes
    public_key: PublicKey

    @classmethod
    def generate(cls) -> "KeyPair":
        return cls.from_seed(os.urandom(SEED_BYTES))

    @classmethod
    def from_seed(cls, seed: bytes) -> "KeyPair":
        if len(seed) != SEED_BYTES:
            raise ValueError("an Ed25519 seed is 32 bytes")
        signing = nacl.signing.SigningKey(seed)
        return cls(bytes(seed), PublicKey(bytes(signing.verify_key)))

    def sign(self, message: bytes) -> Signature:
        secret = self.seed + self.public_key
        return Signature(nacl.bindings.crypto_sign(message, secret)[:SIGNATURE_BYTES])

    def __repr__(self) -> str:  # never print the seed
        return f"KeyPair(public_key={self.public_key.hex()})"


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``message`` under ``public_key``."""
    if len(public_key) != PUBLIC_KEY_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        nacl.bindings.crypto_sign_open(signature + message, public_key)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, nacl.exceptions.TypeError):
        return False
    return True


def _verify_chunk(items: Sequence[tuple[bytes, bytes, bytes]]) -> list[bool]:
    return [verify(pk, msg, sig) for pk, msg, sig in items]


class Verifier:
    """Verifies many signatures on all cores: libsodium runs outside the GIL, so threads scale."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = max(1, threads or os.cpu_count() or 1)
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="verify") if self.threads > 1 else None

    def verify_many(self, items: Sequence[tuple[bytes, bytes, bytes]]) -> list[bool]:
        """(public key, message, signature) triples -> one verdict each, in order."""
        if self._pool is None or len(items) < 64:
            return _verify_chunk(items)
        step = -(-len(items) // self.threads)
        chunks = [items[i : i + step] for i in range(0, len(items), step)]
        verdicts: list[bool] = []
        for part in self._pool.map(_verify_chunk, chunks):
            verdicts.extend(part)
        return verdicts

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
