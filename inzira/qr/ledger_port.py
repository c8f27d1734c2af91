"""The service's one door to the ledger: sign as a member, submit, wait for verdicts, read committed state.

In the embedded network one process holds every member's key, so the service signs for the acquirer (its
merchants' accounts), for the wallet issuer (its wallets) and asks the FX provider's desk for quotes. Run
by members on their own machines, each part signs with its own member's key only; the flows are the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from inzira.api.codes import ApiCode
from inzira.crypto import KeyPair
from inzira.ledger.encoding import encode
from inzira.ledger.records import Account
from inzira.ledger.tx import Op, sign_body, tx_id_of
from inzira.node.node import Node, NodeError
from inzira.node.signer import MemberSigner, wall_clock_ms
from inzira.ordering.outcome import Busy, Outcome, Stopped, Ticket
from inzira.qr.rejected import Rejected, rejected

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class QrRuntime(Protocol):
    """What the service needs from a running network (``inzira.node.embedded.Embedded`` has it)."""

    node: Node
    chain_id: bytes
    keys: Mapping[str, KeyPair]

    def submit(self, raw: bytes) -> Ticket: ...

    def signer(self, member_id: str) -> MemberSigner: ...


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
    def __init__(self, runtime: QrRuntime) -> None:
        self.runtime = runtime

    @property
    def node(self) -> Node:
        return self.runtime.node

    @staticmethod
    def now_ms() -> int:
        return wall_clock_ms()

    def key(self, member: str) -> KeyPair:
        return self.runtime.keys[member]

    def has_key(self, member: str) -> bool:
        return member in self.runtime.keys

    def sign(self, member: str, op: Op, ref: str) -> SignedTx:
        signer = self.runtime.signer(member)
        body = signer.body(op, ref)
        return SignedTx(tx_id_of(encode(body)), sign_body(body, signer.key), body.expires_at_ms)

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
