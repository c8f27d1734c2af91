"""Domain-separated SHA-256: the digest types, ``hash_domain`` and ``Hasher``.

Every hash Inzira commits to is taken under a domain tag, so that bytes hashed for one purpose (a
transaction body, a block header, a quote) can never be mistaken for another.
"""

from __future__ import annotations

import hashlib
from typing import NewType

Digest = NewType("Digest", bytes)  # 32 bytes, SHA-256

DIGEST_BYTES = 32


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
