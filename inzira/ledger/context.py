"""What an operation handler is given (the transaction's context) and what it returns (its result)."""

from __future__ import annotations

import msgspec

from inzira.ledger.codes import Code

AT_NONE = -1


class TxResult(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """The verdict on one transaction: a code, and which leg or element broke the rule (-1: none)."""

    code: int
    at: int = AT_NONE

    @property
    def ok(self) -> bool:
        return self.code == Code.OK


OK = TxResult(int(Code.OK))


def fail(code: Code, at: int = AT_NONE) -> TxResult:
    return TxResult(int(code), at)


class Ctx(msgspec.Struct, frozen=True, gc=False):
    tx_id: bytes
    submitter: str  # the member the body names as its submitter (its signature is among the signers)
    signers: frozenset[str]  # every member that signed
    signed_keys: frozenset[bytes]  # every key that signed (a member's threshold counts its keys)
    timestamp_ms: int  # the block's time: the only clock the ledger knows
    quotes: tuple  # decoded firm quotes carried by the transaction
    op: object
