"""Settings of the mobile-money operator simulator: credentials, limits and the behaviour knobs tests turn."""

from __future__ import annotations

import secrets
from typing import Literal

import msgspec

from inzira.money import AMOUNT_MINOR_MAX, currency

# Failure reasons MTN MoMo documents for transfers (status FAILED, field "reason").
INTERNAL_PROCESSING_ERROR = "INTERNAL_PROCESSING_ERROR"
PAYEE_NOT_FOUND = "PAYEE_NOT_FOUND"
NOT_ENOUGH_FUNDS = "NOT_ENOUGH_FUNDS"
PAYEE_NOT_ALLOWED_TO_RECEIVE = "PAYEE_NOT_ALLOWED_TO_RECEIVE"
FAILURE_REASONS = frozenset(
    {
        INTERNAL_PROCESSING_ERROR,
        PAYEE_NOT_FOUND,
        NOT_ENOUGH_FUNDS,
        PAYEE_NOT_ALLOWED_TO_RECEIVE,
        "COULD_NOT_PERFORM_TRANSACTION",
        "SERVICE_UNAVAILABLE",
        "NOT_ALLOWED",
        "PAYER_LIMIT_REACHED",
        "PAYEE_DELAYED",
    }
)
LATENCY_MS_MAX = 600_000
FORCED_MAX = 1_000


class ForcedOutcome(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What every transfer to ``msisdn`` does, whatever the failure rate says.

    "fail": FAILED with ``reason``; "pending": stays PENDING for ever; "succeed": skips the random failure
    (the payee and float checks still apply).
    """

    msisdn: str
    outcome: Literal["fail", "pending", "succeed"]
    reason: str = INTERNAL_PROCESSING_ERROR

    def __post_init__(self) -> None:
        if self.reason not in FAILURE_REASONS:
            raise ValueError(f"reason must be one of {sorted(FAILURE_REASONS)}, got {self.reason!r}")


class Behaviour(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Latency and failure injection, replaced as a whole through the admin API.

    Determinism: the random generator is reseeded with ``seed`` whenever a behaviour is set, and draws exactly
    one ``random()`` per accepted transfer to a number without a forced outcome; the transfer fails with
    ``failure_reason`` when the draw is below ``failure_rate``. A transfer resolves ``latency_ms`` after it
    was accepted, or after a time drawn uniformly in ``latency_ms..latency_max_ms`` when that is set (from a
    generator of its own, so the failure sequence stays the same).
    """

    latency_ms: int = 0
    latency_max_ms: int | None = None
    failure_rate: float = 0.0
    failure_reason: str = INTERNAL_PROCESSING_ERROR
    seed: int = 0
    forced: tuple[ForcedOutcome, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.latency_ms <= LATENCY_MS_MAX:
            raise ValueError(f"latency_ms must be in 0..{LATENCY_MS_MAX}, got {self.latency_ms}")
        if self.latency_max_ms is not None and not self.latency_ms <= self.latency_max_ms <= LATENCY_MS_MAX:
            raise ValueError(f"latency_max_ms must be in latency_ms..{LATENCY_MS_MAX}, got {self.latency_max_ms}")
        if not 0.0 <= self.failure_rate <= 1.0:
            raise ValueError(f"failure_rate must be in 0..1, got {self.failure_rate}")
        if self.failure_reason not in FAILURE_REASONS:
            raise ValueError(f"failure_reason must be one of {sorted(FAILURE_REASONS)}")
        if len(self.forced) > FORCED_MAX:
            raise ValueError(f"at most {FORCED_MAX} forced outcomes")


class MomoSimConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One operator with one disbursement account (its float) and one API user, in one currency."""

    subscription_key: str = "sim-subscription-key"
    api_user: str = "5f0c3a52-8d7e-4b1a-9f36-2c1d0e4b7a91"  # MTN API users are UUIDs
    api_key: str = "sim-api-key"
    # The simulator's own admin API (wallets, float, failure injection) answers only this bearer token: a fresh
    # random one unless set, handed to whoever started the simulator (``RunningMomoSim.admin``).
    admin_token: str = msgspec.field(default_factory=lambda: secrets.token_urlsafe(24))
    target_environment: str = "mtnrwanda"  # MTN's value for Rwanda
    currency: str = "RWF"
    float_minor: int = 0
    behaviour: Behaviour = Behaviour()
    token_ttl_s: int = 3_600  # MTN tokens live one hour
    db_path: str = ":memory:"
    wallets_max: int = 100_000
    wallet_balance_max_minor: int = AMOUNT_MINOR_MAX
    transfers_max: int = 1_000_000
    pending_max: int = 10_000
    tokens_max: int = 1_000
    body_bytes_max: int = 16_384
    history_limit_max: int = 1_000
    callbacks_in_flight_max: int = 1_000
    callback_timeout_ms: int = 2_000  # MTN's wallet platform gives a callback 2 s
    callback_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")

    def __post_init__(self) -> None:
        currency(self.currency)
        if not 0 <= self.float_minor <= AMOUNT_MINOR_MAX:
            raise ValueError("float_minor must be in 0..AMOUNT_MINOR_MAX")
        if not 0 < self.wallet_balance_max_minor <= AMOUNT_MINOR_MAX:
            raise ValueError("wallet_balance_max_minor must be in 1..AMOUNT_MINOR_MAX")
        for name in (
            "token_ttl_s",
            "wallets_max",
            "transfers_max",
            "pending_max",
            "tokens_max",
            "body_bytes_max",
            "history_limit_max",
            "callbacks_in_flight_max",
            "callback_timeout_ms",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
