"""Seeding the demo network: accounts for every member and prefunding, through real signed transactions.

Prefunding follows the design: the settlement bank issues EUR, USD, CNY, GBP and AED against reserves it
holds off-chain, the central bank issues RWF, each as an ordinary on-chain issue signed by the issuer's own
port, with the settlement reference ``seed-<account>``; each owner opens its accounts with its own port.
"""

from __future__ import annotations

from dataclasses import dataclass

from inzira.demo.members import GATEWAY_MEMBER
from inzira.ledger.codes import Code
from inzira.ledger.tx import Issue, OpenAccount
from inzira.node.custody import Keyring, Ledger

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
# The eKash gateway's position, where it is a member: what eKash payers can pay into Inzira.
GATEWAY_ACCOUNTS: tuple[tuple[str, str, str, int], ...] = ((GATEWAY_MEMBER.id, "rwf", "RWF", 200_000_000),)


@dataclass(frozen=True, slots=True)
class SeedReport:
    accounts_opened: int
    issued: int


class SeedError(RuntimeError):
    """A seeding transaction was refused: the network is not in the state the demo expects."""


def seed_reference(account: str) -> str:
    return f"seed-{account}"


def seed(net: Ledger, keys: Keyring) -> SeedReport:
    """Open and prefund the demo accounts that do not exist yet, and prefund any opened without its prefunding
    (a start stopped in between): safe to run on every start, and it resumes an interrupted one."""
    opened = issued = 0
    gateway = GATEWAY_ACCOUNTS if GATEWAY_MEMBER.id in net.node.state.members else ()
    for member, name, currency, amount_minor in (*DEMO_ACCOUNTS, *gateway):
        account = f"{member}:{name}"
        existing = net.node.account(account)
        if existing is None:
            _ok(keys.port(net, member).execute(OpenAccount(account, currency)).code, account)
            opened += 1
        elif existing.credits_posted:  # prefunded already: credits posted only ever add up
            continue
        # An account opened without its prefunding is a start stopped between the two: it is prefunded now.
        issuer = keys.port(net, net.node.genesis.issuers()[currency])
        _ok(issuer.execute(Issue(account, amount_minor, currency, seed_reference(account))).code, account)
        issued += 1
    return SeedReport(opened, issued)


def _ok(code: int, account: str) -> None:
    if code != Code.OK:
        raise SeedError(f"seeding {account} was refused with code {code}")
