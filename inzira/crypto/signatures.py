"""Ed25519 key pairs and signature checks (libsodium through PyNaCl), pure and deterministic.

A key pair is built from its seed only; drawing a fresh seed from the OS is ``inzira.crypto.keygen``'s
job, outside the ledger core's reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NewType

import nacl.bindings
import nacl.exceptions
import nacl.signing

PublicKey = NewType("PublicKey", bytes)  # 32 bytes
Signature = NewType("Signature", bytes)  # 64 bytes

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
SEED_BYTES = 32


@dataclass(frozen=True, slots=True)
class KeyPair:
    """An Ed25519 key pair. The seed is the secret; keep it in a file only its owner can read."""

    seed: bytes
    public_key: PublicKey

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
