"""Records of the world state: accounts, pending transfers, members and the network policy."""

from __future__ import annotations

import msgspec

# Account flags
ISSUANCE = 1  # the issuer's account of a currency: the one allowed to go negative
FROZEN = 2  # no debit and no credit while set (regulator)

# Pending transfer status
PENDING = 0
POSTED = 1
VOIDED = 2
EXPIRED = 3
STATUS_NAMES = {PENDING: "RESERVED", POSTED: "COMMITTED", VOIDED: "ABORTED", EXPIRED: "EXPIRED"}


class Account(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """Double-entry balances in minor units. Balance = credits_posted - debits_posted.

    The limit: debits_posted + debits_pending <= credits_posted + debit_cap_minor, except for issuance
    accounts. A cap of 0 means prefunded (debits must not exceed credits).
    """

    id: str
    currency: str
    flags: int = 0
    debit_cap_minor: int = 0
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0

    @property
    def balance_minor(self) -> int:
        return self.credits_posted - self.debits_posted

    @property
    def available_minor(self) -> int:
        return self.credits_posted + self.debit_cap_minor - self.debits_posted - self.debits_pending

    @property
    def frozen(self) -> bool:
        return bool(self.flags & FROZEN)

    @property
    def issuance(self) -> bool:
        return bool(self.flags & ISSUANCE)


class Leg(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One movement of money: debit one account, credit another, same currency."""

    debit: str
    credit: str
    amount_minor: int
    currency: str


class PendingTransfer(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A two-phase transfer: its legs are reserved until posted, voided or expired, exactly once.

    A hashlocked transfer names its ``payee``: the member that pays out and holds the preimage. It ends by
    the preimage, by that payee's void, or by expiry, and by nothing else (see docs/architecture.md).
    """

    id: bytes  # the creating transaction's id
    creator: str
    legs: tuple[Leg, ...]
    expires_at_ms: int
    condition: bytes
    payee: str  # "" when there is no hashlock
    status: int = PENDING
    resolved_at_ms: int = 0
    resolved_by_tx: bytes = b""


class Member(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A member institution. Any one of its keys signs for it; ``threshold`` of them are needed to change
    its own keys or roles, so one lost or stolen key neither locks it out nor lets a thief take it over."""

    id: str
    name: str
    roles: tuple[str, ...]
    keys: tuple[bytes, ...]
    threshold: int = 1


class RefEntry(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """An accepted client reference, kept until its transaction's deadline to answer resubmissions."""

    tx_id: bytes
    expires_at_ms: int


class Policy(msgspec.Struct, frozen=True, array_like=True, gc=False):
    tx_validity_max_ms: int = 24 * 3600 * 1000  # how far ahead a transaction's deadline may be
    pending_max_ms: int = 7 * 24 * 3600 * 1000  # the longest a transfer may stay pending
    quote_validity_max_ms: int = 3600 * 1000  # how far ahead of the block a firm quote may expire
    resolved_kept_ms: int = 7 * 24 * 3600 * 1000  # how long a resolved pending transfer stays in the state
    block_time_skew_ms: int = 2_000  # how far a block's time may run ahead of the ordering log's own clock
    # How long after its earliest quote's expiry a quoted pending transfer may stay open: long enough for a
    # remittance reserved at its quote's last moment (the remittance service's longest hop, 10 min), short
    # enough that a held quote is no long free option against the FX provider. Last, so older rows decode.
    quote_hold_after_max_ms: int = 10 * 60 * 1000


# Roles only the genesis assigns: no quorum may give them, take them away or remove their holder.
ISSUER_ROLES = frozenset({"central_bank", "issuer"})

ROLES = frozenset(
    {
        "central_bank",
        "regulator",
        "settlement_bank",
        "issuer",
        "fx_provider",
        "sending_fsp",
        "receiving_fsp",
        "acquirer",
        "wallet_issuer",
        "auditor",
        "directory_operator",  # holds the phone-number hash key and alone signs the directory (SetParty)
    }
)
