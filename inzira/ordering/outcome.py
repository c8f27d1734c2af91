"""What every ordering mode answers a submitter: the outcome, or why it could not take the transaction."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Outcome:
    """The verdict and where it is in the chain (height 0: in no block)."""

    tx_id: bytes
    code: int
    at: int = -1
    height: int = 0
    index: int = -1


class Busy(RuntimeError):
    """Too many transactions waiting: the caller should retry later (HTTP 503)."""


class Stopped(RuntimeError):
    """The ordering service is not taking transactions."""
