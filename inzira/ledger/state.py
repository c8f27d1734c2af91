"""The world state: records by key, the changes of the block being applied, and the state commitment.

Every change goes through ``put_*`` so the block's write set is exact. At the end of a block the write set,
sorted by key, is hashed into a chain: state_hash(n) = H(state_hash(n-1), n, H(write set n)) — the same
commitment on every peer that applied the same blocks, and the same rows a node persists.
"""

from __future__ import annotations

import heapq
from typing import Any, Iterable

import msgspec

from inzira.crypto import Hasher
from inzira.ledger.encoding import encode
from inzira.ledger.genesis import Genesis
from inzira.ledger.ids import issuance_account
from inzira.ledger.invariants import InvariantError, check_account, check_state
from inzira.ledger.records import ISSUANCE, PENDING, Account, Member, PendingTransfer, Policy, RefEntry
from inzira.ledger.state_rows import (K_ACCOUNT, K_MEMBER, K_PARTY, K_PENDING, K_QUOTE, K_REF, META_ISSUERS,
                                      META_POLICY, WriteSet, decode_row)

state_hash_fn = Hasher("inzira/state")
write_set_hash = Hasher("inzira/writeset")
full_state_hash = Hasher("inzira/fullstate")


class State:
    def __init__(self, chain_id: bytes) -> None:
        self.chain_id = chain_id
        self.policy = Policy()
        self.issuers: dict[str, str] = {}  # currency -> issuer member
        self.members: dict[str, Member] = {}
        self.key_owner: dict[bytes, str] = {}
        self.accounts: dict[str, Account] = {}
        self.pendings: dict[bytes, PendingTransfer] = {}
        self.refs: dict[bytes, RefEntry] = {}
        self.quotes_used: dict[bytes, int] = {}
        self.parties: dict[bytes, str] = {}
        self.party_counts: dict[str, int] = {}  # directory entries per FSP (derived, not persisted)
        self.height = 0
        self.state_hash = state_hash_fn(chain_id)
        self.timestamp_ms = 0
        self.dirty: dict[bytes, Any] = {}
        # Deadlines, smallest first. Entries may be stale; they are checked when popped.
        self.pending_deadlines: list[tuple[int, bytes]] = []
        self.ref_deadlines: list[tuple[int, bytes]] = []
        self.quote_deadlines: list[tuple[int, bytes]] = []
        self.resolved_deadlines: list[tuple[int, bytes]] = []  # when a resolved pending transfer is pruned
        # Per currency: posted balances, pending debits, pending credits, summed over every account. Kept
        # up to date from the accounts each block touches, so the invariants cost little on the live path.
        self.totals: dict[str, list[int]] = {}
        self._before: dict[str, Account | None] = {}  # accounts touched by the block, as they were before it
        self.pruned: list[PendingTransfer] = []  # resolved pending transfers the last block dropped

    # --- construction ---

    @classmethod
    def from_genesis(cls, genesis: Genesis) -> "State":
        state = cls(genesis.chain_id)
        state.set_meta(genesis.policy_record(), genesis.issuers())
        for member in genesis.members_records():
            state.put_member(member)
        for code, issuer in genesis.issuers().items():
            account_id = issuance_account(issuer, code)
            state.put_account(Account(account_id, code, flags=ISSUANCE))
        state.seal(0, genesis.created_at_ms)
        return state

    @classmethod
    def from_rows(cls, chain_id: bytes, rows: Iterable[tuple[bytes, bytes]], height: int, state_hash: bytes,
                  timestamp_ms: int) -> "State":
        """Rebuild from persisted rows (what ``seal`` wrote), without replaying blocks."""
        state = cls(chain_id)
        for key, value in rows:
            state.load_row(key, value)
        state.height, state.state_hash, state.timestamp_ms = height, state_hash, timestamp_ms
        state.dirty.clear()
        state._before.clear()
        return state

    def load_row(self, key: bytes, value: bytes) -> None:
        prefix = key[:1]
        if key == META_POLICY:
            self.policy = msgspec.msgpack.decode(value, type=Policy)
            return
        if key == META_ISSUERS:
            self.issuers = dict(msgspec.msgpack.decode(value, type=list[tuple[str, str]]))
            return
        record = decode_row(prefix, value)
        name = key[1:]
        if prefix == K_ACCOUNT:
            self.accounts[name.decode()] = record
            self._add_totals(record, 1)
        elif prefix == K_PENDING:
            self.pendings[name] = record
            if record.status == PENDING:
                heapq.heappush(self.pending_deadlines, (record.expires_at_ms, name))
            else:
                heapq.heappush(self.resolved_deadlines, (self._prune_at(record), name))
        elif prefix == K_MEMBER:
            self._index_member(record)
        elif prefix == K_REF:
            self.refs[name] = record
            heapq.heappush(self.ref_deadlines, (record.expires_at_ms, name))
        elif prefix == K_QUOTE:
            self.quotes_used[name] = record
            heapq.heappush(self.quote_deadlines, (record, name))
        elif prefix == K_PARTY:
            self.parties[name] = record
            self.party_counts[record] = self.party_counts.get(record, 0) + 1

    def restore_refs(self, entries: Iterable[tuple[bytes, bytes, int]]) -> None:
        """Put back the live client references (key, tx id, deadline) a node keeps in its transaction index."""
        for key, tx_id, expires_at_ms in entries:
            self.refs[key] = RefEntry(tx_id, expires_at_ms)
            heapq.heappush(self.ref_deadlines, (expires_at_ms, key))

    # --- reads ---

    def holds_role(self, member_id: str, role: str) -> bool:
        """Whether ``member_id`` is a member holding ``role`` now: services check this at each call, since the
        network may remove a member or take a role away after they start."""
        member = self.members.get(member_id)
        return member is not None and role in member.roles

    def member_keys(self) -> dict[str, tuple[bytes, ...]]:
        """Each member's public keys now, for checking who signed a request or a checkpoint."""
        return {m.id: m.keys for m in list(self.members.values())}

    # --- writes: every change is recorded in the block's write set ---

    def set_meta(self, policy: Policy, issuers: dict[str, str]) -> None:
        self.policy, self.issuers = policy, dict(issuers)
        self.dirty[META_POLICY] = policy
        self.dirty[META_ISSUERS] = sorted(issuers.items())

    def put_account(self, account: Account) -> None:
        if account.id not in self._before:
            self._before[account.id] = self.accounts.get(account.id)
        self.accounts[account.id] = account
        self.dirty[K_ACCOUNT + account.id.encode()] = account

    def put_pending(self, pending: PendingTransfer) -> None:
        if pending.id not in self.pendings:
            heapq.heappush(self.pending_deadlines, (pending.expires_at_ms, pending.id))
        if pending.status != PENDING:
            heapq.heappush(self.resolved_deadlines, (self._prune_at(pending), pending.id))
        self.pendings[pending.id] = pending
        self.dirty[K_PENDING + pending.id] = pending

    def _prune_at(self, pending: PendingTransfer) -> int:
        return pending.resolved_at_ms + self.policy.resolved_kept_ms

    def _index_member(self, member: Member) -> None:
        old = self.members.get(member.id)
        if old is not None:
            for key in old.keys:
                self.key_owner.pop(key, None)
        self.members[member.id] = member
        for key in member.keys:
            self.key_owner[key] = member.id

    def put_member(self, member: Member) -> None:
        self._index_member(member)
        self.dirty[K_MEMBER + member.id.encode()] = member

    def remove_member(self, member_id: str) -> None:
        old = self.members.pop(member_id)
        for key in old.keys:
            self.key_owner.pop(key, None)
        self.dirty[K_MEMBER + member_id.encode()] = None

    def put_ref(self, key: bytes, entry: RefEntry) -> None:
        self.refs[key] = entry
        heapq.heappush(self.ref_deadlines, (entry.expires_at_ms, key))
        self.dirty[K_REF + key] = entry

    def put_quote_used(self, key: bytes, expires_at_ms: int) -> None:
        self.quotes_used[key] = expires_at_ms
        heapq.heappush(self.quote_deadlines, (expires_at_ms, key))
        self.dirty[K_QUOTE + key] = expires_at_ms

    def put_party(self, party: bytes, fsp: str | None) -> None:
        old = self.parties.pop(party, None)
        if old is not None:
            self.party_counts[old] -= 1
        if fsp is not None:
            self.parties[party] = fsp
            self.party_counts[fsp] = self.party_counts.get(fsp, 0) + 1
        self.dirty[K_PARTY + party] = fsp

    # --- pruning of what can no longer matter once its deadline has passed ---

    def prune(self, timestamp_ms: int) -> None:
        self.pruned = []
        pendings, deadlines = self.pendings, self.resolved_deadlines
        while deadlines and deadlines[0][0] <= timestamp_ms:
            _, pending_id = heapq.heappop(deadlines)
            pending = pendings.get(pending_id)
            if pending is not None and pending.status != PENDING and self._prune_at(pending) <= timestamp_ms:
                del pendings[pending_id]
                self.dirty[K_PENDING + pending_id] = None
                self.pruned.append(pending)
        refs, deadlines = self.refs, self.ref_deadlines
        while deadlines and deadlines[0][0] <= timestamp_ms:
            expires_at_ms, key = heapq.heappop(deadlines)
            entry = refs.get(key)
            if entry is not None and entry.expires_at_ms == expires_at_ms:
                del refs[key]
                self.dirty[K_REF + key] = None
        quotes, deadlines = self.quotes_used, self.quote_deadlines
        while deadlines and deadlines[0][0] <= timestamp_ms:
            expires_at_ms, key = heapq.heappop(deadlines)
            if quotes.get(key) == expires_at_ms:
                del quotes[key]
                self.dirty[K_QUOTE + key] = None

    # --- the commitment ---

    def write_set(self) -> WriteSet:
        items: WriteSet = []
        for key in sorted(self.dirty):
            value = self.dirty[key]
            items.append((key, None if value is None else encode(value)))
        return items

    def seal(self, height: int, timestamp_ms: int) -> WriteSet:
        """Close the block being applied: check the invariants on what it touched, chain its write set into
        the state hash and return it. Raises InvariantError (a bug: the node stops) when one is broken."""
        self._check_block()
        items = self.write_set()
        digest = write_set_hash(encode(items))
        self.state_hash = state_hash_fn(self.state_hash + height.to_bytes(8, "big") + digest)
        self.height, self.timestamp_ms = height, timestamp_ms
        self.dirty.clear()
        return items

    # --- invariants ---

    def _add_totals(self, account: Account, sign: int) -> None:
        totals = self.totals.get(account.currency)
        if totals is None:
            totals = self.totals[account.currency] = [0, 0, 0]
        totals[0] += sign * (account.credits_posted - account.debits_posted)
        totals[1] += sign * account.debits_pending
        totals[2] += sign * account.credits_pending

    def _check_block(self) -> None:
        """The invariants, incrementally: every account the block touched is within its limits, and the
        running totals per currency (updated by the touched accounts' changes) still balance."""
        touched = self._before
        if not touched:
            return
        currencies: set[str] = set()
        for account_id, before in touched.items():
            after = self.accounts[account_id]
            if before is not None:
                if before.currency != after.currency:
                    raise InvariantError(f"account {account_id}: currency changed")
                self._add_totals(before, -1)
            self._add_totals(after, 1)
            check_account(after)
            currencies.add(after.currency)
        touched.clear()
        for currency in currencies:
            posted, debits_pending, credits_pending = self.totals[currency]
            if posted != 0:
                raise InvariantError(f"{currency}: posted balances sum to {posted}, not 0")
            if debits_pending != credits_pending:
                raise InvariantError(f"{currency}: pending debits and credits differ")

    def rows(self) -> list[tuple[bytes, bytes]]:
        """Every record as persisted rows, sorted by key."""
        rows: list[tuple[bytes, bytes]] = [
            (META_POLICY, encode(self.policy)),
            (META_ISSUERS, encode(sorted(self.issuers.items()))),
        ]
        rows += [(K_ACCOUNT + k.encode(), encode(v)) for k, v in self.accounts.items()]
        rows += [(K_PENDING + k, encode(v)) for k, v in self.pendings.items()]
        rows += [(K_MEMBER + k.encode(), encode(v)) for k, v in self.members.items()]
        rows += [(K_REF + k, encode(v)) for k, v in self.refs.items()]
        rows += [(K_QUOTE + k, encode(v)) for k, v in self.quotes_used.items()]
        rows += [(K_PARTY + k, encode(v)) for k, v in self.parties.items()]
        rows.sort()
        return rows

    def digest(self) -> bytes:
        """A hash of the whole state (not only of its history): equal states give equal digests."""
        return full_state_hash(encode(self.rows()))

    def check_invariants(self) -> None:
        """The whole state's invariants, from scratch (``invariants.check_state``); raise if one is broken."""
        check_state(self)
