"""The service's one door to the ledger: sign as a member it acts for, submit, wait for verdicts, read.

It holds the ports (``inzira.node.custody.MemberPort``) of the members the QR service acts for, and no other
key: the acquirers (their merchants' accounts) and the wallet issuers (their wallets). In the demo that is
several members in one process; in a member's own deployment, that member alone. Firm quotes come from the
FX provider's own quote service (``inzira.fx.client``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from inzira.api.codes import ApiCode
from inzira.ledger.encoding import encode
from inzira.ledger.records import Account
from inzira.ledger.tx import Op, tx_id_of
from inzira.node.custody import CustodyError, MemberPort, WebhookKey
from inzira.node.node import Node, NodeError
from inzira.node.signer import wall_clock_ms
from inzira.ordering.outcome import Busy, Outcome, Stopped, Ticket
from inzira.qr.rejected import Rejected, rejected

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class QrRuntime(Protocol):
    """What the service needs from a running ledger, no key (``Embedded`` and ``PeerRuntime`` have it)."""

    node: Node
    chain_id: bytes

    def submit(self, raw: bytes) -> Ticket: ...


@dataclass(frozen=True, slots=True)
class SignedTx:
    tx_id: bytes
    raw: bytes
    expires_at_ms: int  # no block after this time may hold it: past it, "not in the chain" is final


class Pending(Protocol[T_co]):
    """A result on its way: the orderer's ``Ticket`` and ``concurrent.futures.Future`` both are."""

    def add_done_callback(self, callback: Callable[[Any], None]) -> None: ...

    def result(self, timeout: float | None = None) -> T_co: ...


async def wait_future(pending: Pending[T], timeout_s: float) -> T | None:
    """The result (or its exception), or None after ``timeout_s``. Giving up never cancels ``pending``: its
    owner (the orderer, the store writer) still resolves it, and others may be waiting on it too."""
    loop = asyncio.get_running_loop()
    woken: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not woken.done():
            woken.set_result(None)

    def done(_: object) -> None:  # on the resolving thread
        try:
            loop.call_soon_threadsafe(wake)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    pending.add_done_callback(done)
    try:
        await asyncio.wait_for(woken, timeout_s)
    except TimeoutError:
        return None
    return pending.result()


class LedgerPort:
    def __init__(self, runtime: QrRuntime, ports: Mapping[str, MemberPort]) -> None:
        self.runtime = runtime
        self._ports = dict(ports)

    @property
    def node(self) -> Node:
        return self.runtime.node

    @staticmethod
    def now_ms() -> int:
        return wall_clock_ms()

    def _port(self, member: str) -> MemberPort:
        port = self._ports.get(member)
        if port is None:
            raise CustodyError(f"this QR service does not act for {member}")
        return port

    def public_key(self, member: str) -> bytes:
        return self._port(member).public_key

    def webhook_key(self, member: str) -> WebhookKey:
        return self._port(member).webhook_key()

    def has_key(self, member: str) -> bool:
        """Whether this service acts for ``member`` (holds its port)."""
        return member in self._ports

    def holds_role(self, member: str, role: str) -> bool:
        """Whether the ledger state gives ``member`` this role now: the network may take it away after start."""
        return self.node.state.holds_role(member, role)

    def sign(self, member: str, op: Op, ref: str) -> SignedTx:
        port = self._port(member)
        body = port.body(op, ref)
        return SignedTx(tx_id_of(encode(body)), port.sign_body(body), body.expires_at_ms)

    def submit(self, raw: bytes) -> Ticket | Rejected:
        try:
            return self.runtime.submit(raw)
        except Busy:
            return rejected(ApiCode.BUSY, "the ledger is busy: retry shortly")
        except Stopped as exc:
            return rejected(ApiCode.UNAVAILABLE, f"the ledger is not taking transactions: {exc}")

    async def execute(self, member: str, op: Op, ref: str, timeout_s: float) -> Outcome | Rejected:
        """Sign, submit and wait for the durable verdict (opening accounts)."""
        signed = self.sign(member, op, ref)
        future = self.submit(signed.raw)
        if isinstance(future, Rejected):
            return future
        try:
            outcome = await wait_future(future, timeout_s)
        except (NodeError, Stopped) as exc:
            return rejected(ApiCode.UNAVAILABLE, f"the ledger stopped: {exc}", tx_id=signed.tx_id.hex())
        if outcome is None:
            return rejected(ApiCode.TIMEOUT, "no verdict from the ledger in time", tx_id=signed.tx_id.hex())
        return outcome

    def account(self, account_id: str) -> Account | None:
        """The committed record (from the node's storage): for what is shown."""
        return self.node.account(account_id)

    def account_now(self, account_id: str) -> Account | None:
        """The node's in-memory record, possibly mid-block: for a quick check before sending a transaction
        (the ledger decides anyway), without a storage read on the request path."""
        return self.node.state.accounts.get(account_id)

    def receipt(self, tx_id: bytes) -> dict[str, Any] | None:
        return self.node.receipt(tx_id)
