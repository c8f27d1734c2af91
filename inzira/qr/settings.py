"""Who plays which part in QR payments, and every limit and timing of the service."""

from __future__ import annotations

from dataclasses import dataclass, field

DAY_MS = 86_400_000


def _demo_wallet_currencies() -> dict[str, tuple[str, ...]]:
    return {"silkpay": ("CNY", "USD")}


@dataclass(frozen=True, slots=True)
class CardAcquirerLink:
    """A wallet issuer's card acquirer: its API and the issuer's secrets there (kept out of ``repr``)."""

    base_url: str
    api_key: str = field(repr=False)  # the issuer's secret API key at the acquirer
    webhook_secret: str = field(repr=False)  # the acquirer signs its callbacks to the issuer with it


@dataclass(frozen=True, slots=True)
class QrSettings:
    # Members that onboard merchants; each merchant's RWF account is theirs: "<acquirer>:m-<merchant id>".
    acquirers: tuple[str, ...] = ("ubumwe",)
    # Wallet issuer -> the currencies it issues visitor wallets in; wallets are "<issuer>:w-<wallet id>".
    wallet_currencies: dict[str, tuple[str, ...]] = field(default_factory=_demo_wallet_currencies)
    # The issuer's float, debited by a card top-up: "<issuer>:<currency, lower case>".
    float_account_pattern: str = "{member}:{currency}"
    # Wallet issuer -> its card acquirer. A top-up moves float only once a card payment there is authorized;
    # an issuer without one takes no top-ups.
    card_acquirers: dict[str, CardAcquirerLink] = field(default_factory=dict)
    fx_provider: str = "imari-fx"
    fx_account_pattern: str = "{member}:{currency}"
    fx_spread_bps: int = 150
    # Networks an acquirer's webhook URL may reach although they are not public (CIDR, e.g. "127.0.0.0/8"):
    # every other loopback, private, link-local or metadata address is refused (inzira.notify.targets).
    webhook_allowed_networks: tuple[str, ...] = ()
    price_currency: str = "RWF"  # what merchants are paid in

    quote_ttl_ms: int = 60_000
    quote_ttl_ms_min: int = 1_000
    quote_ttl_ms_max: int = 300_000
    quotes_max: int = 100_000  # quotes kept in memory (each lives at most quote_ttl_ms_max)
    # Each wallet's allowance of quotes. The FX provider's allowance is the issuer's, shared by all its wallets:
    # without a share of its own, one visitor's wallet asking without end would leave every other visitor none.
    # A person scans and confirms a payment in seconds; a minute's 60 with 20 at once is far above that.
    wallet_quotes_per_minute: int = 60
    wallet_quotes_burst: int = 20
    wallet_quote_buckets_max: int = 100_000  # wallets whose allowance is remembered (a full one is forgotten)
    # A holder's rotations of its own token (POS or wallet page). Each writes to qr.db and replaces the cached
    # record: a lost tablet needs one, so three at once and then one every 20 minutes is plenty. The member's
    # own new tokens and revocations are never held to it (a thief rotating a stolen token cannot lock it out).
    token_rotations_per_hour: int = 3
    token_rotations_burst: int = 3
    token_rotation_buckets_max: int = 100_000  # holders whose allowance is remembered (a full one is forgotten)
    bill_ttl_ms: int = 15 * 60_000  # a dynamic QR's default life
    bill_ttl_ms_min: int = 1_000
    bill_ttl_ms_max: int = DAY_MS
    # A merchant's bills made in any 24 hours and not paid (open, or expired unpaid): each is a row kept for good,
    # so a POS token making bills without end would fill the disk. A till abandons a few bills a day, not thousands.
    bills_unpaid_day_max: int = 5_000
    # An open bill expired this long ago is deleted (it moved no money: nothing of it is a record); paid ones stay.
    # At least a day, so the daily cap above still counts every bill of its 24 hours.
    bills_expired_kept_days: int = 7
    payment_minor_max: int = 10_000_000  # RWF per payment
    # Top-up limits, in the wallet currency's minor units; "a day" is any 24 hours.
    topup_minor_max: int = 5_000_00  # per top-up
    topup_day_minor_max: int = 10_000_00  # per wallet and day (top-ups neither declined nor expired)
    topup_day_count_max: int = 10  # per wallet and day: every attempt counts, declined ones too
    wallet_balance_minor_max: int = 20_000_00  # no top-up takes a wallet above this
    topup_card_ttl_ms: int = 15 * 60_000  # how long the card form stays open
    card_call_timeout_ms: int = 10_000  # each call to the card acquirer
    card_callback_tolerance_ms: int = 5 * 60_000  # a callback signed further from now is refused (replays)

    verdict_timeout_ms: int = 30_000  # then the API answers 504 and the payment settles in the background
    busy_wait_ms: int = 5_000  # how long a second payer of a bill waits for the first one's verdict
    writer_queue_jobs_max: int = 20_000
    writer_batch_jobs_max: int = 500
    scan_cache_max: int = 4_096  # decoded payloads kept (decoding is the costly part of a scan)
    records_cache_max: int = 20_000  # merchants and wallets kept in memory (replaced when a token changes)

    streams_max: int = 1_000  # open server-sent event streams
    # One merchant's (its own and its bills') or one wallet's open streams: without a share, one POS token
    # holding every slot would leave every other merchant's screen deaf to its payments.
    streams_per_owner_max: int = 50
    stream_queue_events_max: int = 512  # a stream this far behind catches up from the store
    stream_heartbeat_ms: int = 15_000
    stream_lifetime_ms: int = 15 * 60_000  # then the browser reconnects with Last-Event-ID
    stream_replay_page_events: int = 200
    events_retention_ms: int = 7 * DAY_MS
    upkeep_interval_ms: int = 60_000  # how often the old events and expired bills are deleted...
    upkeep_batch_rows: int = 1_000  # ...at most this many rows of each per pass, so no pass holds the writer long

    statement_page_max: int = 500
    statement_proofs_page_max: int = 100  # receipts are ~2 KB each
    statement_days_max: int = 92
