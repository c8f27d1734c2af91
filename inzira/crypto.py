"""Ed25519 keys and signatures (libsodium through PyNaCl) and domain-separated SHA-256.

Every hash Inzira commits to is taken under a domain tag, so that bytes hashed for one purpose (a
transaction body, a block header, a quote) can never be mistaken for another.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
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
    """Verifies many signatures on all cores, in worker processes.

    Processes rather than threads: libsodium runs outside the GIL, but each call needs the GIL to start and
    finish, and a busy Python thread (the ledger applying a block) would keep verifying threads waiting.
    The workers speak fixed-size records over pipes (see ``inzira.verify_worker``). Small batches, and
    messages that are not 32-byte digests, are checked inline.
    """

    INLINE_MAX = 64
    RECORD_BYTES = 128

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._procs: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()

    def _start(self) -> None:
        self._procs = [
            subprocess.Popen([sys.executable, "-m", "inzira.verify_worker"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)
            for _ in range(self.workers)
        ]

    def verify_many(self, items: Sequence[tuple[bytes, bytes, bytes]]) -> list[bool]:
        """(public key, message, signature) triples -> one verdict each, in order."""
        fixed = all(len(pk) == 32 and len(m) == 32 and len(s) == 64 for pk, m, s in items)
        if self.workers == 1 or len(items) <= self.INLINE_MAX or not fixed:
            return _verify_chunk(items)
        with self._lock:
            try:
                return self._remote(items)
            except (OSError, ValueError):
                self._stop()  # a worker died: check inline now, start fresh workers next time
                return _verify_chunk(items)

    def _remote(self, items: Sequence[tuple[bytes, bytes, bytes]]) -> list[bool]:
        if not self._procs or any(p.poll() is not None for p in self._procs):
            self._stop()
            self._start()
        step = -(-len(items) // self.workers)
        chunks = [items[i : i + step] for i in range(0, len(items), step)]
        for proc, chunk in zip(self._procs, chunks):
            frame = b"".join(pk + m + s for pk, m, s in chunk)
            proc.stdin.write(len(chunk).to_bytes(4, "big") + frame)  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
        verdicts: list[bool] = []
        for proc, chunk in zip(self._procs, chunks):
            answer = proc.stdout.read(len(chunk))  # type: ignore[union-attr]
            if len(answer) != len(chunk):
                raise ValueError("verify worker closed its output")
            verdicts.extend(b == 1 for b in answer)
        return verdicts

    def _stop(self) -> None:
        for proc in self._procs:
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs = []

    def close(self) -> None:
        with self._lock:
            self._stop()
