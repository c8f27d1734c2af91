"""Settings of the card acquirer simulator: the merchant account's credentials, its limits, and the behaviour
knobs tests turn (forced declines and timeouts, late, duplicate and lost callbacks)."""

from __future__ import annotations

from typing import Literal

import msgspec

from inzira.money import AMOUNT_MINOR_MAX, currency

DELAY_MS_MAX = 600_000
CALLBACK_COPIES_MAX = 5
# Decline reasons, named as Stripe names its decline codes.
DECLINE_REASONS = frozenset({
    "card_declined", "insufficient_funds", "expired_card", "incorrect_number", "invalid_expiry", "invalid_cvc",
    "do_not_honor", "not_a_test_card",
})


class Behaviour(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Failure injection, replaced whole through the admin API.

    ``forced``: every card payment from now on is declined (with ``decline_reason``) or times out, whatever
    the card. ``auth_timeout_ms``: how long a payment whose card issuer never answers stays pending before it
    times out. ``api_delay_ms``: the merchant API answers this late (its work done: a merchant that gives up
    waiting may miss a session that exists). ``callback_delay_ms``: a decided payment's callback leaves this
    late. ``callback_copies``: each callback is delivered this many times (2: a duplicate). ``callbacks_off``:
    no callback at all (a lost one: the merchant has to ask).
    """

    forced: Literal["decline", "timeout"] | None = None
    decline_reason: str = "do_not_honor"
    auth_timeout_ms: int = 30_000
    api_delay_ms: int = 0
    callback_delay_ms: int = 0
    callback_copies: int = 1
    callbacks_off: bool = False

    def __post_init__(self) -> None:
        if self.decline_reason not in DECLINE_REASONS:
            raise ValueError(f"decline_reason must be one of {sorted(DECLINE_REASONS)}")
        if not 0 < self.auth_timeout_ms <= DELAY_MS_MAX:
            raise ValueError(f"auth_timeout_ms must be in 1..{DELAY_MS_MAX}")
        if not 0 <= self.api_delay_ms <= DELAY_MS_MAX:
            raise ValueError(f"api_delay_ms must be in 0..{DELAY_MS_MAX}")
        if not 0 <= self.callback_delay_ms <= DELAY_MS_MAX:
            raise ValueError(f"callback_delay_ms must be in 0..{DELAY_MS_MAX}")
        if not 1 <= self.callback_copies <= CALLBACK_COPIES_MAX:
            raise ValueError(f"callback_copies must be in 1..{CALLBACK_COPIES_MAX}")


class CardSimConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One merchant account (the wallet issuer) at one acquirer: its API key, the secret its callbacks are
    signed with, and the admin token of the simulator itself."""

    merchant_name: str = "Wallet issuer (simulated merchant account)"
    api_key: str = "sk_sim_card_api_key"
    webhook_secret: str = "whsec_sim_card_webhook_secret"
    admin_token: str = "sim-card-admin-token"
    currencies: tuple[str, ...] = ("CNY", "USD", "EUR", "GBP", "AED")
    amount_minor_max: int = 100_000_000  # per payment, minor units
    session_ttl_ms_min: int = 1_000
    session_ttl_ms_max: int = 86_400_000  # Stripe's Checkout sessions live at most 24 h
    session_ttl_ms: int = 30 * 60_000  # when the merchant does not say
    db_path: str = ":memory:"
    webhook_url: str | None = None  # where callbacks go (also set through the admin API)
    callback_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")
    callback_timeout_ms: int = 5_000
    callback_attempts_max: int = 5  # per copy, on a non-2xx answer or no answer
    callback_retry_ms: int = 500  # doubled after each failed attempt
    callbacks_in_flight_max: int = 1_000
    callback_log_max: int = 200  # sent callbacks kept for the admin API
    sessions_max: int = 1_000_000
    open_sessions_max: int = 10_000
    body_bytes_max: int = 16_384
    behaviour: Behaviour = Behaviour()

    def __post_init__(self) -> None:
        for code in self.currencies:
            currency(code)
        if not 0 < self.amount_minor_max <= AMOUNT_MINOR_MAX:
            raise ValueError("amount_minor_max must be in 1..AMOUNT_MINOR_MAX")
        if not 0 < self.session_ttl_ms_min <= self.session_ttl_ms <= self.session_ttl_ms_max:
            raise ValueError("session_ttl_ms must be within session_ttl_ms_min..session_ttl_ms_max")
        for name in ("callback_timeout_ms", "callback_attempts_max", "callback_retry_ms",
                     "callbacks_in_flight_max", "callback_log_max", "sessions_max", "open_sessions_max",
                     "body_bytes_max"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in ("api_key", "webhook_secret", "admin_token"):
            if len(getattr(self, name)) < 16:
                raise ValueError(f"{name} must be at least 16 characters")
