"""The directory operator's settings: whose account-holder API confirms wallets, each member's declared volume
(which sizes its look-up allowance), time windows and limits, with demo defaults.

A member's allowance is ``declared daily transfers x lookups_per_transfer`` look-ups a day, refilled evenly,
with a burst of what ``burst_window_s`` refills (at least ``burst_min``). At the demo default of 50,000
transfers a day a sending FSP gets 150,000 look-ups a day: enumerating Rwanda's ~40M mobile numbers would take
it most of a year, in plain sight of the audit log.

An FSP's registration requests (listing or unlisting a number) have an allowance of their own:
``registrations_per_day`` with a burst of ``registrations_burst``, or what ``registration_allowances`` grants
that FSP. Each listing is a ``SetParty`` on chain, and an FSP whose account-holder API confirms anything could
otherwise squat free numbers without end. The default, 20,000 a day, is several times the new wallets a large
Rwandan mobile-money operator opens on a busy day, and the burst of 2,000 covers a branch's or an agent
network's batch at once; listing a whole existing customer base is a bulk onboarding the operator agrees with
that FSP and grants in ``registration_allowances`` for its duration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DAY_MS = 86_400_000

# The eKash gateway looks up a party for every eKash payer paying Inzira: it declares a sender's volume.
DEMO_DECLARED_DAILY_TRANSFERS: Mapping[str, int] = {"eurosend": 50_000, "silkpay": 50_000, "ekash": 50_000}


@dataclass(frozen=True, slots=True)
class Allowance:
    """Requests (look-ups, or registrations) a day and the most that may be spent at once."""

    per_day: int
    burst: int


@dataclass(frozen=True)
class DirectorySettings:
    # FSP -> configuration of its account-holder (name-check) API, as a payout adapter takes it
    # ({"kind": "momo-http", ...}); the operator confirms there that the FSP holds a wallet before listing it.
    account_holder_apis: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    declared_daily_transfers: Mapping[str, int] = field(default_factory=lambda: DEMO_DECLARED_DAILY_TRANSFERS)
    default_daily_transfers: int = 1_000  # a member that declared nothing
    lookups_per_transfer: int = 3  # a look-up, the quote's own, and a retry
    burst_window_s: int = 900
    burst_min: int = 20
    request_skew_ms: int = 300_000  # how far a signed request's time may be from the operator's clock
    audit_rows_max: int = 5_000_000  # the oldest rows go beyond this
    disputes_open_max: int = 1_000  # per claiming FSP
    submit_timeout_ms: int = 30_000  # how long the operator waits for the ledger's verdict on its SetParty
    registrations_per_day: int = 20_000  # per FSP, listings and unlistings alike
    registrations_burst: int = 2_000
    registration_allowances: Mapping[str, Allowance] = field(default_factory=dict)  # FSP -> a bulk onboarding's

    def allowance(self, member: str) -> Allowance:
        per_day = max(1, self.declared_daily_transfers.get(member, self.default_daily_transfers)) * \
            self.lookups_per_transfer
        refilled = -(-per_day * self.burst_window_s * 1000 // DAY_MS)  # ceiling
        return Allowance(per_day, max(self.burst_min, refilled))

    def registration_allowance(self, member: str) -> Allowance:
        granted = self.registration_allowances.get(member)
        return granted if granted is not None else Allowance(self.registrations_per_day, self.registrations_burst)
