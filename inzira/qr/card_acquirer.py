"""The wallet issuer's client of its card acquirer: open a payment session, ask for its status, refund.

Nothing the acquirer answers is trusted beyond its shape: answers are decoded into bounded fields, and the
caller compares them with its own record before it acts on them. Every failure (no answer, a refusal, an
answer of another shape) is an ``AcquirerError``.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import msgspec

from inzira.qr.settings import CardAcquirerLink

TEXT_CHARS_MAX = 128
ERROR_CHARS_MAX = 300
_TLS = ssl.create_default_context()  # one for every call: building one loads the CA bundle
Text = Annotated[str, msgspec.Meta(max_length=TEXT_CHARS_MAX)]
Url = Annotated[str, msgspec.Meta(max_length=2_048)]


class AcquirerError(Exception):
    """The acquirer did not answer, refused, or answered something that is not a session."""


class _Card(msgspec.Struct, frozen=True):
    brand: Text
    last4: Annotated[str, msgspec.Meta(pattern="^[0-9]{0,4}$")]


class AcquirerSession(msgspec.Struct, frozen=True):
    """A payment session as the acquirer states it."""

    id: Text
    reference: Text
    amount_minor: int
    currency: Text
    status: Text  # open, pending, authorized, declined, timed_out, expired, refunded
    expires_at_ms: int
    card_form_url: Url
    reason: Text | None = None
    payment_id: Text | None = None
    card: _Card | None = None


_decode_session = msgspec.json.Decoder(AcquirerSession).decode


@dataclass(frozen=True, slots=True)
class CardAcquirer:
    link: CardAcquirerLink
    timeout_ms: int

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> AcquirerSession:
        headers = {"Authorization": f"Bearer {self.link.api_key}"}
        try:
            async with httpx.AsyncClient(base_url=self.link.base_url, timeout=self.timeout_ms / 1000, verify=_TLS,
                                         trust_env=False, follow_redirects=False) as client:
                response = await client.request(method, path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise AcquirerError(f"no answer from the card acquirer ({exc.__class__.__name__})") from exc
        if not response.is_success:
            raise AcquirerError(f"the card acquirer answered {response.status_code}: "
                                f"{response.text[:ERROR_CHARS_MAX]}")
        try:
            return _decode_session(response.content)
        except msgspec.DecodeError as exc:
            raise AcquirerError(f"the card acquirer's answer is not a session: {exc}") from exc

    async def open_session(self, reference: str, amount_minor: int, currency: str, return_url: str | None,
                           expires_in_ms: int) -> AcquirerSession:
        """Open (or, for a reference already opened with the same terms, find again) a payment session."""
        return await self._call("POST", "/v1/sessions", {
            "amount_minor": amount_minor, "currency": currency, "reference": reference, "return_url": return_url,
            "expires_in_ms": expires_in_ms})

    async def session(self, session_id: str) -> AcquirerSession:
        return await self._call("GET", f"/v1/sessions/{session_id}")

    async def refund(self, payment_id: str) -> AcquirerSession:
        return await self._call("POST", "/v1/refunds", {"payment_id": payment_id})
