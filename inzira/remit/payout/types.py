"""Records and errors shared by every payout adapter."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from inzira.crypto import hash_domain


class PayoutStatus(StrEnum):
    PENDING = "PENDING"
    SUCCESSFUL = "SUCCESSFUL"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class PayoutState:
    """What the operator says about one payout. ``reason`` is the operator's failure code (e.g.
    PAYEE_NOT_FOUND, NOT_ENOUGH_FUNDS) when FAILED; ``operator_txn_id`` its transaction id when SUCCESSFUL.
    The rest is the payout its answer describes, None where the answer leaves it out: ``payee`` is the wallet's
    MSISDN, or "TYPE:id" for a party of another type."""

    reference_id: str
    status: PayoutStatus
    reason: str | None = None
    operator_txn_id: str | None = None
    amount_minor: int | None = None
    currency: str | None = None
    payee: str | None = None
    external_id: str | None = None

    @property
    def final(self) -> bool:
        return self.status is not PayoutStatus.PENDING

    def not_as_asked(self, msisdn: str, amount_minor: int, currency: str, external_id: str) -> str | None:
        """How the payout this answer describes differs from the one asked for, or None. The one check of every
        answer about a payout (a callback, a status, the payout found under a reference id sent again): only
        what the answer names is compared, as an operator may leave out the payee or the external id."""
        payee = None if self.payee is None else self.payee.removeprefix("+")
        said = (self.amount_minor, self.currency, payee, self.external_id)
        asked = (amount_minor, currency, msisdn.removeprefix("+"), external_id)
        return "; ".join(f"{name} {found!r}, asked {wanted!r}"
                         for name, found, wanted in zip(("amount", "currency", "payee", "external id"), said, asked)
                         if found is not None and found != wanted) or None


@dataclass(frozen=True, slots=True)
class AccountHolder:
    """A wallet holder as the operator knows them: the full name (masking is the caller's job)."""

    msisdn: str
    name: str
    active: bool


@dataclass(frozen=True, slots=True)
class OperatorBalance:
    """The operator's disbursement account (its float), the ceiling of what it can pay out now."""

    amount_minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class Hashlock:
    """A hashlock the operator sets rather than the receiving FSP (a Mojaloop hub's payee FSP does): its
    condition locks the Inzira leg, and the operator's own fee comes out of what the wallet receives."""

    condition: bytes
    transfer_minor: int  # what the receiving FSP pays the operator
    receive_minor: int  # what the wallet receives
    operator_fee_minor: int
    expires_at_ms: int


class PayoutError(Exception):
    """Base of the adapter's exceptions; expected payout failures are FAILED states, not exceptions."""


class PayoutConfigError(PayoutError):
    """The configuration or credentials are wrong (unknown kind, bad field, 401 after a fresh token...)."""


class PayoutUnavailableError(PayoutError):
    """The operator could not be reached or kept failing after the retries: the outcome is unknown.

    Calling ``start`` again with the same reference id is safe (it is idempotent) and finds out.
    """


class PayoutConflictError(PayoutError):
    """The reference id is already used by a payout with a different amount, currency, payee or external id."""


class PayoutRefusedError(PayoutError):
    """The operator refused a look-up or a quote; ``code`` is its (Mojaloop) error code, e.g. 5101."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(f"refused ({code}): {description}")
        self.code = code
        self.description = description


class PayoutNotFoundError(PayoutError):
    """The operator has no payout under this reference id."""


def reference_id_from(key: bytes) -> str:
    """A stable UUID version 4 for ``key`` (e.g. an on-chain transfer id), as MTN requires for X-Reference-Id.

    Deriving it, rather than drawing it at random, lets any process recompute the same reference after a
    crash and resend safely.
    """
    digest = hash_domain("inzira/payout-reference/v1", key)
    return str(uuid.UUID(bytes=digest[:16], version=4))
