"""API tokens, kept only as SHA-256 digests: a lookup by the digest of the presented token.

Comparing digests instead of tokens makes the lookup constant-time in what matters: timing can only
reveal how a digest's bytes compare, and an attacker cannot steer digests toward a stored one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

TOKEN_CHARS_MAX = 256  # longer presented tokens are refused before hashing


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class TokenBook:
    def __init__(self, tokens: Mapping[str, str]) -> None:
        """``tokens``: API token -> member id."""
        self._members = {_digest(token): member for token, member in tokens.items()}

    def member_for(self, token: str) -> str | None:
        if not 0 < len(token) <= TOKEN_CHARS_MAX:
            return None
        return self._members.get(_digest(token))
