"""Who may call the simulator: the subscription key on every call, Basic auth for a token, Bearer after.

As on MTN MoMo: POST /disbursement/token/ with ``Authorization: Basic base64(api_user:api_key)`` and
``Ocp-Apim-Subscription-Key`` returns an access token valid ``token_ttl_s``; every other call carries
``Authorization: Bearer <token>`` and the same subscription key.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time

from inzira.sim.momo.config import MomoSimConfig


class TokenIssuer:
    def __init__(self, config: MomoSimConfig) -> None:
        self._config = config
        self._expiry_by_token: dict[str, float] = {}  # token -> time.monotonic() deadline, oldest first
        self.issued = 0

    def subscription_ok(self, key: str | None) -> bool:
        return key is not None and hmac.compare_digest(key.encode(), self._config.subscription_key.encode())

    def issue(self, authorization: str | None) -> str | None:
        """A new token for valid Basic credentials, else None."""
        if not authorization or not authorization.startswith("Basic "):
            return None
        try:
            user, _, key = base64.b64decode(authorization[6:], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user_ok = hmac.compare_digest(user.encode(), self._config.api_user.encode())
        key_ok = hmac.compare_digest(key.encode(), self._config.api_key.encode())
        if not (user_ok and key_ok):
            return None
        self._make_room()
        token = secrets.token_urlsafe(32)
        self._expiry_by_token[token] = time.monotonic() + self._config.token_ttl_s
        self.issued += 1
        return token

    def bearer_ok(self, authorization: str | None) -> bool:
        if not authorization or not authorization.startswith("Bearer "):
            return False
        expiry = self._expiry_by_token.get(authorization[7:])
        return expiry is not None and expiry > time.monotonic()

    def _make_room(self) -> None:
        """Drop expired tokens, then the oldest ones, so at most ``tokens_max`` are held."""
        now = time.monotonic()
        for token in [t for t, expiry in self._expiry_by_token.items() if expiry <= now]:
            del self._expiry_by_token[token]
        while len(self._expiry_by_token) >= self._config.tokens_max:
            del self._expiry_by_token[next(iter(self._expiry_by_token))]
