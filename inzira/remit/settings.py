"""The remittance service's settings: who plays which role, fees, timings and limits, with demo defaults.

Timings follow Mojaloop's rule that each hop waits less than the one before it: a firm quote lives
``quote_ttl_ms``; a transfer is reserved on chain for ``transfer_ttl_ms`` (the sending FSP's hop); the
receiving FSP stops waiting for its payout ``payout_commit_margin_ms`` before that deadline, so its commit
still lands in time, and does not start a payout with less than ``payout_window_min_ms`` left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inzira.remit.compliance.policy import CompliancePolicy
from inzira.remit.fees import DEMO_RECEIVING_FEES, DEMO_SENDING_FEES, FeeSchedule

PAYOUT_CURRENCY = "RWF"
DEFAULT_SENDING_FEE = FeeSchedule(0, 100)


@dataclass(frozen=True)
class RemitSettings:
    fx_member: str = "imari-fx"
    fx_spread_bps: int = 150
    # receiving FSP -> payout adapter configuration ({"kind": "momo-http", ...}); a member without one
    # cannot confirm wallets, so numbers it serves are not found.
    payout_adapters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The receiving FSP asked about numbers the directory does not list (the eKash gateway, whose payout
    # adapter is a Mojaloop route: it reaches wallets at FSPs outside Inzira); None: such numbers are not found.
    fallback_fsp: str | None = None
    # Receiving FSPs this service does not act for -> their own deployment's base URL (inter-FSP API, /v1/fsp):
    # their wallets are looked up and quoted there, and they pay out there (inzira.remit.remote_receiving).
    receiving_fsp_urls: Mapping[str, str] = field(default_factory=dict)
    # What each sending FSP may ask of this receiving FSP's deployment (look-ups and new quotes together), a day
    # and at once: its look-up answers a masked name, which the directory's allowance and log otherwise bound.
    fsp_requests_per_day: int = 100_000
    fsp_requests_burst: int = 2_000
    sending_fees: Mapping[str, Mapping[str, FeeSchedule]] = field(default_factory=lambda: DEMO_SENDING_FEES)
    receiving_fees: Mapping[str, FeeSchedule] = field(default_factory=lambda: DEMO_RECEIVING_FEES)
    compliance: CompliancePolicy = field(default_factory=CompliancePolicy)
    # A UN consolidated, OFAC SDN advanced or EU consolidated list XML; the fictional sample when None.
    sanctions_file: Path | None = None
    # A list file older than this raises an alert; older than the second, new transfers are held.
    sanctions_alert_age_ms: int = 3 * 24 * 3_600_000
    sanctions_hold_age_ms: int = 14 * 24 * 3_600_000
    quote_ttl_ms: int = 60_000
    transfer_ttl_ms: int = 30_000
    transfer_ttl_ms_min: int = 2_000
    transfer_ttl_ms_max: int = 600_000
    payout_commit_margin_ms: int = 1_000
    payout_window_min_ms: int = 500
    # Calls to an operator at once, per receiving FSP: match the adapter's connections. The HTTP client's pool
    # checks every queued request against every connection each time one starts or ends, so a long queue
    # inside it costs far more CPU than waiting here.
    operator_calls_max: int = 4
    # Where operators post payout callbacks: this service's API as they reach it (None: no callbacks, poll).
    payout_callback_base_url: str | None = None
    payout_callback_wait_ms: int = 5_000  # then the operator is asked, as the fallback
    lookup_cache_ttl_ms: int = 60_000
    lookup_reuse_ms: int = 60_000  # a quote within this of the same member's look-up of the number takes its answer
    directory_calls_max: int = 16  # look-ups at the directory operator at once (more wait in the service)
    fx_calls_max: int = 16  # quote requests at the FX provider at once
    lookup_cache_entries_max: int = 10_000
    submit_timeout_ms: int = 30_000  # how long the service waits for a ledger verdict
    wait_ms_max: int = 30_000  # longest long-poll a client may ask for on a transfer
    reconcile_interval_ms: int = 1_000
    reconcile_batch_max: int = 500
    alert_check_interval_ms: int = 250
    thresholds_max: int = 1_000  # per member
    alerts_kept_max: int = 10_000  # per member, the latest
    webhooks_per_member_max: int = 10
    # Networks a member's webhook URL may reach although they are not public (CIDR, e.g. "127.0.0.0/8"):
    # every other loopback, private, link-local or metadata address is refused (inzira.notify.targets).
    webhook_allowed_networks: tuple[str, ...] = ()
    event_subscribers_max: int = 1_000
    event_subscribers_per_member_max: int = 250  # one member's streams and long polls at once (a wait beyond it polls)
    event_queue_max: int = 1_000
    events_heartbeat_ms: int = 15_000
    payout_reconcile_ms_max: int = 3_600_000  # how long an unknown payout outcome is still asked about

    def sending_fee(self, member: str, currency: str) -> FeeSchedule:
        return self.sending_fees.get(member, {}).get(currency, DEFAULT_SENDING_FEE)

    def receiving_fee(self, member: str) -> FeeSchedule:
        return self.receiving_fees.get(member, FeeSchedule())


def position_account(member: str, currency: str) -> str:
    """A member's settlement position in a currency, by the network's naming convention."""
    return f"{member}:{currency.lower()}"


def fee_account(member: str, currency: str) -> str:
    """Where a receiving FSP's fees land on chain: kept apart from its payout position."""
    return f"{member}:fees-{currency.lower()}"
