"""Seeding the demo network: accounts for every member and prefunding, through real signed transactions.

Prefunding follows the design: the settlement bank issues EUR, USD, CNY, GBP and AED against reserves it
holds off-chain, the central bank issues RWF, each as an ordinary on-chain issue.
"""

from __future__ import annotations

from dataclasses import dataclass

from inzira.ledger.codes import Code
from inzira.ledger.tx import Issue, OpenAccount
from inzira.node.embedded import Embedded

# (member, account name, currency, prefunding in minor units)
DEMO_ACCOUNTS: tuple[tuple[str, str, str, int], ...] = (
    ("eurosend", "eur", "EUR", 1_000_000_00),
    ("eurosend", "gbp", "GBP", 200_000_00),
    ("silkpay", "cny", "CNY", 5_000_000_00),
    ("silkpay", "usd", "USD", 500_000_00),
    ("imari-fx", "eur", "EUR", 100_000_00),
    ("imari-fx", "usd", "USD", 100_000_00),
    ("imari-fx", "cny", "CNY", 500_000_00),
    ("imari-fx", "gbp", "GBP", 50_000_00),
    ("imari-fx", "aed", "AED", 50_000_00),
    ("imari-fx", "rwf", "RWF", 5_000_000_000),
    ("mobimo", "rwf", "RWF", 200_000_000),
    ("ubumwe", "rwf", "RWF", 200_000_000),
)


@dataclass(frozen=True, slots=True)
class SeedReport:
    accounts_opened: int
    issued: int


class SeedError(RuntimeError):
    """A seeding transaction was refused: the network is not in the state the demo expects."""


def seed(net: Embedded) -> SeedReport:
    """Open and prefund the demo accounts that do not exist yet (safe to run on every start)."""
    opened = issued = 0
    for member, name, currency, amount_minor in DEMO_ACCOUNTS:
        account = f"{member}:{name}"
        if net.node.account(account) is not None:
            continue
        _ok(net.execute(member, OpenAccount(account, currency)).code, account)
        opened += 1
        issuer = net.node.genesis.issuers()[currency]
        _ok(net.execute(issuer, Issue(account, amount_minor, currency)).code, account)
        issued += 1
    return SeedReport(opened, issued)


def _ok(code: int, account: str) -> None:
    if code != Code.OK:
        raise SeedError(f"seeding {account} was refused with code {code}")
