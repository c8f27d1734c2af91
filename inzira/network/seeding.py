"""Seeding a local network: the demo accounts opened and prefunded through the members' own peers.

Each member signs with its own key and submits through its own peer's API, as it would on its own machine:
owners open their accounts, the issuers (the central bank for RWF, the settlement bank for the rest) fund
them, each issuance with the settlement reference ``seed-<account>``. Safe to run again: existing accounts
are not reopened, funded ones not funded twice. Accounts of members whose peer (or whose issuer's peer) is
not running are left for a later run, unless a running peer of the regulator, central bank or auditor (who may
read every account) shows them opened and funded already: a member run as its own deployment after the first
seeding is not reported as left to seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from inzira.api.client import LedgerHttpClient
from inzira.api.visibility import SEES_ALL_ROLES
from inzira.demo.members import DEMO_CURRENCIES
from inzira.http import HttpProblem
from inzira.demo.seed import DEMO_ACCOUNTS, seed_reference
from inzira.ledger.tx import Issue, OpenAccount
from inzira.network.local_network import LocalNetwork
from inzira.node.reader import load_genesis
from inzira.node.signer import MemberSigner


class SeedError(RuntimeError):
    """A peer refused a seeding transaction: the network is not in the state the demo expects."""


@dataclass(slots=True)
class SeedReport:
    opened: int = 0
    funded: int = 0
    skipped: list[str] = field(default_factory=list)  # accounts left for later (their member's peer is down)


def seed_network(net: LocalNetwork) -> SeedReport:
    chain_id = load_genesis(net.folder).chain_id
    running = set(net.running_peers())
    report = SeedReport()
    clients = {m: LedgerHttpClient(net.api_url(m), net.api_token(m)) for m in running}
    signers = {m: MemberSigner(chain_id, m, net.member_key(m)) for m in running}
    reader = next((clients[m.id] for m in load_genesis(net.folder).members
                   if m.id in running and SEES_ALL_ROLES & set(m.roles)), None)
    try:
        to_fund: dict[str, list[tuple[str, str, int]]] = {}
        for owner in sorted({a[0] for a in DEMO_ACCOUNTS}):
            accounts = [a for a in DEMO_ACCOUNTS if a[0] == owner]
            if owner not in running:
                report.skipped += [f"{owner}:{name}" for _, name, _, _ in accounts
                                   if not _seeded(reader, f"{owner}:{name}")]
                continue
            client = clients[owner]
            missing, unfunded = [], []
            for _, name, currency, amount_minor in accounts:
                account_id = f"{owner}:{name}"
                view = _account(client, account_id)
                if view is None:
                    missing.append((account_id, currency, amount_minor))
                elif view["credits_posted_minor"] == 0:
                    unfunded.append((account_id, currency, amount_minor))
            _submit(client, [signers[owner].sign(OpenAccount(a, c)) for a, c, _ in missing])
            report.opened += len(missing)
            for account_id, currency, amount_minor in missing + unfunded:
                to_fund.setdefault(DEMO_CURRENCIES[currency], []).append((account_id, currency, amount_minor))
        for issuer, accounts in sorted(to_fund.items()):
            if issuer not in running:
                report.skipped += [f"{a} (not funded: {issuer} is not running)" for a, _, _ in accounts]
                continue
            _submit(clients[issuer], [signers[issuer].sign(Issue(a, amount, c, seed_reference(a)))
                                      for a, c, amount in accounts])
            report.funded += len(accounts)
    finally:
        for client in clients.values():
            client.close()
    return report


def _seeded(reader: LedgerHttpClient | None, account_id: str) -> bool:
    """Whether ``account_id`` is opened and funded, as a peer that may read every account sees it."""
    view = _account(reader, account_id) if reader is not None else None
    return view is not None and view["credits_posted_minor"] > 0


def _account(client: LedgerHttpClient, account_id: str) -> dict | None:
    try:
        return client.account(account_id)
    except HttpProblem as exc:
        if exc.status == 404:
            return None
        raise


def _submit(client: LedgerHttpClient, raws: list[bytes]) -> None:
    if not raws:
        return
    for result in client.submit_many(raws):
        if result.get("status") != 200:
            why = result.get("detail") or result.get("description")
            raise SeedError(f"seeding refused: {result.get('code')} {why}")
