"""Key custody: a service acting for a member holds that member's port, and nothing that signs for another.

A ``MemberPort`` is bound to one member and one key: it signs as that member (transactions, countersignatures,
the FX provider's quotes, webhook deliveries), submits to the ledger and reads it. It never hands out its key.
Runtimes (``Embedded``, ``PeerRuntime``) hold no member keys at all; only a composition root (the demo, a
member's own deployment, a bench, a test) loads keys, into a ``Keyring``, and gives each service the ports of
the members that service acts for.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Protocol

from inzira.crypto import KeyPair
from inzira.directory.wire import RegistrationRequest, request_digest
from inzira.ledger.tx import Op, Quote, SignedQuote, TxBody, add_signatures, sign_body, sign_quote
from inzira.node.keystore import load_key
from inzira.node.node import Node
from inzira.node.signer import TX_VALIDITY_MS, MemberSigner, wall_clock_ms
from inzira.ordering.outcome import Busy, Outcome, Stopped, Ticket
from inzira.peer import peer_auth

EXECUTE_TIMEOUT_S = 30.0
# A webhook delivery signs "<unix ms>.<JSON object>": never 32 bytes, never a transaction id or a quote hash.
_WEBHOOK_MESSAGE = re.compile(rb"[0-9]{1,16}\.\{", re.ASCII)
_WEBHOOK_MESSAGE_BYTES_MIN = 64


class Ledger(Protocol):
    """What a port needs from a running ledger: reads and submission, no keys."""

    node: Node
    chain_id: bytes

    def submit(self, raw: bytes) -> Ticket: ...


class CustodyError(PermissionError):
    """A port asked to sign something that is not its member's to sign."""


class WebhookKey:
    """Signs webhook deliveries as one member, and nothing else (see ``inzira.notify.webhooks``)."""

    __slots__ = ("_key",)

    def __init__(self, key: KeyPair) -> None:
        self._key = key

    @property
    def public_key(self) -> bytes:
        return self._key.public_key

    def sign(self, message: bytes) -> bytes:
        if len(message) < _WEBHOOK_MESSAGE_BYTES_MIN or _WEBHOOK_MESSAGE.match(message) is None:
            raise CustodyError("a webhook key signs webhook deliveries only")
        return self._key.sign(message)


class QuoteKey:
    """The FX provider's key where its quote desk runs apart from any ledger (its own process): signs that
    member's quotes on one chain, and nothing else (no transactions, no other member's quotes)."""

    __slots__ = ("member", "chain_id", "_key")

    def __init__(self, member: str, chain_id: bytes, key: KeyPair) -> None:
        self.member = member
        self.chain_id = chain_id
        self._key = key

    def __repr__(self) -> str:
        return f"QuoteKey({self.member})"

    def sign_quote(self, quote: Quote) -> SignedQuote:
        if quote.fx != self.member or quote.chain_id != self.chain_id:
            raise CustodyError(f"{self.member} signs only its own quotes")
        return sign_quote(quote, self._key)


class MemberPort:
    """One member's door to the ledger: sign as that member, submit, wait for verdicts, read."""

    __slots__ = ("member", "node", "chain_id", "_ledger", "_signer")

    def __init__(self, ledger: Ledger, member: str, key: KeyPair, clock_ms: Callable[[], int] = wall_clock_ms,
                 validity_ms: int = TX_VALIDITY_MS) -> None:
        self.member = member
        self.node = ledger.node
        self.chain_id = ledger.chain_id
        self._ledger = ledger
        self._signer = MemberSigner(ledger.chain_id, member, key, clock_ms, validity_ms)

    def __repr__(self) -> str:
        return f"MemberPort({self.member})"

    @property
    def public_key(self) -> bytes:
        return self._signer.key.public_key

    def body(self, op: Op, ref: str | None = None, validity_ms: int | None = None) -> TxBody:
        body = self._signer.body(op, ref)
        if validity_ms is None:
            return body
        return TxBody(body.version, body.chain_id, body.submitter, body.ref, self._signer.clock_ms() + validity_ms,
                      body.op)

    def sign_body(self, body: TxBody) -> bytes:
        if body.submitter != self.member or body.chain_id != self.chain_id:
            raise CustodyError(f"{self.member} signs only transactions it submits on its own chain")
        return sign_body(body, self._signer.key)

    def sign(self, op: Op, ref: str | None = None) -> bytes:
        """A transaction submitted and signed by this member."""
        return sign_body(self._signer.body(op, ref), self._signer.key)

    def countersign(self, raw: bytes) -> bytes:
        """Add this member's signature to a transaction another member signed (a withdrawal's redemption)."""
        return add_signatures(raw, self._signer.key)

    def sign_quote(self, quote: Quote) -> SignedQuote:
        if quote.fx != self.member or quote.chain_id != self.chain_id:
            raise CustodyError(f"{self.member} signs only its own quotes")
        return sign_quote(quote, self._signer.key)

    def sign_registration(self, request: RegistrationRequest) -> bytes:
        """Sign this member's own request to the directory operator (hashed under the request's own domain)."""
        if request.member != self.member or request.chain_id != self.chain_id:
            raise CustodyError(f"{self.member} signs only its own directory requests on its own chain")
        return self._signer.key.sign(request_digest(request))

    def sign_request(self, method: str, path: str, body: bytes = b"") -> dict[str, str]:
        """Headers signing a request to another member's deployment as this member, now (hashed under the
        peer requests' own domain: never a transaction, quote or directory request)."""
        return peer_auth.sign_request(self.chain_id, self.member, self._signer.key, method, path,
                                      self._signer.clock_ms(), body)

    def webhook_key(self) -> WebhookKey:
        return WebhookKey(self._signer.key)

    def submit(self, raw: bytes) -> Ticket:
        return self._ledger.submit(raw)

    def execute(self, op: Op, ref: str | None = None, timeout_s: float = EXECUTE_TIMEOUT_S) -> Outcome:
        """Sign, submit and wait for the durable verdict."""
        return self.submit(self.sign(op, ref)).result(timeout_s)

    async def verdict(self, raw: bytes, timeout_s: float = EXECUTE_TIMEOUT_S) -> Outcome | None:
        """Submit and await the durable verdict without blocking the event loop; None when the ledger is busy
        or stopped, or gives no verdict in time (the transaction may still land: resubmit the same bytes)."""
        try:
            ticket = self.submit(raw)
        except (Busy, Stopped):
            return None
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not woken.done():
                woken.set_result(None)

        def done(_: object) -> None:  # on the orderer's thread
            try:
                loop.call_soon_threadsafe(wake)
            except RuntimeError:  # the loop closed: nobody waits any more
                pass

        ticket.add_done_callback(done)
        try:
            await asyncio.wait_for(woken, timeout_s)
        except TimeoutError:
            return None
        try:
            return ticket.result(0)
        except Exception:  # noqa: BLE001 (the node or peer stopped with the transaction on its way)
            return None


class Keyring:
    """The keys a composition root holds for the members it hosts; it makes ports, never hands out keys."""

    __slots__ = ("_keys",)

    def __init__(self, keys: Mapping[str, KeyPair]) -> None:
        self._keys = dict(keys)

    @classmethod
    def load(cls, files: Mapping[str, Path]) -> "Keyring":
        """member -> key file (``inzira.node.keystore``)."""
        return cls({member: load_key(path) for member, path in files.items()})

    def members(self) -> tuple[str, ...]:
        return tuple(sorted(self._keys))

    def __contains__(self, member: object) -> bool:
        return member in self._keys

    def port(self, ledger: Ledger, member: str, clock_ms: Callable[[], int] = wall_clock_ms,
             validity_ms: int = TX_VALIDITY_MS) -> MemberPort:
        key = self._keys.get(member)
        if key is None:
            raise CustodyError(f"this process holds no key of {member}")
        return MemberPort(ledger, member, key, clock_ms, validity_ms)

    def ports(self, ledger: Ledger, members: Iterable[str]) -> dict[str, MemberPort]:
        return {member: self.port(ledger, member) for member in members}
