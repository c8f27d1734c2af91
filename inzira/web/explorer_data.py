"""What the explorer shows, read from a node as plain data for the templates (no HTTP here).

Every read takes the ``Viewer``: None is the demo's public explorer, which shows everything; a member's
viewer gets exactly what the HTTP API would give that member, through the API's own visibility rules
(``inzira.api.visibility``), and what it may not see reads as absent, the same as an unknown id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from inzira.api.visibility import Caller, may_see, may_see_account, may_see_pending, tx_facts
from inzira.ledger.block import block_hash, decode_header
from inzira.ledger.context import AT_NONE, TxResult
from inzira.ledger.receipt import receipt_json
from inzira.money import money_text
from inzira.node.node import Node
from inzira.node.reader import StoredTx
from inzira.node.views import account_view, header_view, pending_view, result_view, tx_view

BLOCKS_PAGE_MAX = 100
BLOCK_TXS_PAGE_MAX = 100
ACCOUNTS_MAX = 500
TX_ID_HEX_CHARS = 64


class Runtime(Protocol):
    """What the explorer needs from a running network (the embedded one, or a member's peer)."""

    node: Node
    chain_id: bytes


@dataclass(frozen=True, slots=True)
class Viewer:
    """A member signed in to its own deployment's explorer."""

    caller: Caller
    name: str

    def sees_account(self, account_id: str) -> bool:
        return may_see_account(self.caller, account_id)


@dataclass(frozen=True, slots=True)
class BlockRow:
    height: int
    hash: str
    timestamp_ms: int
    tx_count: int


def stored_height(node: Node) -> int:
    """The last block on disk (the in-memory state may already be a block ahead while it is written)."""
    tip = node.store.tip()
    return tip.height if tip is not None else 0


def site_context(node: Node, public_accounts: bool, viewer: Viewer | None = None) -> dict[str, Any]:
    """What every page shows in its frame: the network, its chain id and height (and who is signed in), and
    ``name_of``: a member's display name, for pages written for people."""
    return {"network": node.genesis.network, "chain_id": node.chain_id.hex(), "height": stored_height(node),
            "public_accounts": public_accounts, "viewer": viewer, "name_of": lambda member: member_name(node, member)}


def latest_blocks(node: Node, before_height: int | None, limit: int) -> list[BlockRow]:
    """Newest first, below ``before_height`` (all when None), at most ``BLOCKS_PAGE_MAX``."""
    newest = stored_height(node) + 1
    before = newest if before_height is None else min(before_height, newest)
    rows = node.store.blocks_summary(before, max(1, min(limit, BLOCKS_PAGE_MAX)))
    return [BlockRow(h, hash_bytes.hex(), ts, n) for h, hash_bytes, ts, n in rows]


def parse_tx_id(text: str) -> bytes | None:
    if len(text) != TX_ID_HEX_CHARS:
        return None
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None


def member_name(node: Node, member_id: str) -> str:
    member = node.state.members.get(member_id)
    return member.name if member is not None else member_id


def _kind(view: dict[str, Any]) -> str:
    op = view.get("op")
    if op is None:
        return "Malformed"
    return "PendingTransfer" if op.get("pending") else op["kind"]


def _result(result: TxResult) -> dict[str, Any]:
    view = result_view(result)
    # ``at`` names the leg (or element) that broke the rule; -1 means the transaction as a whole.
    view["leg"] = result.at if result.at != AT_NONE and result.code != 0 else None
    return view


def tx_row(node: Node, raw: bytes, result: TxResult) -> dict[str, Any]:
    view = tx_view(raw, node.state.key_owner)
    signers = view.get("signers") or []
    return {"tx_id": view["tx_id"], "kind": _kind(view), "submitter": signers[0] if signers else "",
            "result": _result(result)}


def _hidden_row(node: Node, raw: bytes, result: TxResult, viewer: Viewer | None) -> dict[str, Any] | None:
    """A transaction the viewer may not see, as ``GET /v1/blocks/{h}`` lists it: its id and verdict only."""
    if viewer is None:
        return None
    facts = tx_facts(raw, node.state.key_owner, node.pending)
    if may_see(viewer.caller, facts.involvement):
        return None
    view = result_view(result)
    return {"tx_id": facts.tx_id.hex(), "hidden": True,
            "result": {"code": view["code"], "description": view["description"], "ok": view["ok"], "leg": None}}


def block_page(node: Node, height: int, start: int, viewer: Viewer | None = None) -> dict[str, Any] | None:
    found = node.block(height)
    if found is None:
        return None
    block, _leaves = found
    header = decode_header(block.signed.header)
    first = max(0, min(start, max(0, len(block.txs) - 1)))
    last = min(len(block.txs), first + BLOCK_TXS_PAGE_MAX)
    rows = [(_hidden_row(node, block.txs[i], block.results[i], viewer)
             or tx_row(node, block.txs[i], block.results[i])) | {"index": i} for i in range(first, last)]
    rejected = sum(1 for r in block.results if r.code != 0)
    return {
        "header": header_view(header, block_hash(block.signed.header)),
        "txs": rows,
        "rejected": rejected,
        "first": first,
        "last": last,
        "prev_start": max(0, first - BLOCK_TXS_PAGE_MAX) if first > 0 else None,
        "next_start": last if last < len(block.txs) else None,
        "has_next_block": node.store.block_hash(height + 1) is not None,
    }


def _cap_text(node: Node, op: dict[str, Any], viewer: Viewer | None) -> str:
    """A debit cap carries no currency of its own: it is in the account's (if the viewer may see it)."""
    visible = viewer is None or viewer.sees_account(op["account"])
    account = node.account(op["account"]) if visible else None
    if account is None:
        return f"{op['cap_minor']} (minor units)"
    return money_text(op["cap_minor"], account.currency)


def visible_tx(node: Node, tx_id: bytes, viewer: Viewer | None) -> StoredTx | None:
    """The stored transaction, if the viewer may see it (``GET /v1/transactions/{id}``'s rule)."""
    stored = node.tx(tx_id)
    if stored is None or viewer is None:
        return stored
    facts = tx_facts(stored.raw, node.state.key_owner, node.pending)
    return stored if may_see(viewer.caller, facts.involvement) else None


def tx_page(node: Node, tx_id: bytes, viewer: Viewer | None = None) -> dict[str, Any] | None:
    stored = visible_tx(node, tx_id, viewer)
    if stored is None:
        return None
    view = tx_view(stored.raw, node.state.key_owner)
    op = view.get("op") or {}
    pending = node.pending(tx_id) if op.get("pending") else None
    if pending is not None and viewer is not None and not may_see_pending(viewer.caller, pending):
        pending = None  # ``GET /v1/pending/{id}``'s rule
    receipt = node.receipt(tx_id)
    return {
        "tx": view,
        "kind": _kind(view),
        "op": op,
        "cap": _cap_text(node, op, viewer) if op.get("kind") == "SetDebitCap" else None,
        "result": _result(stored.result),
        "height": stored.height,
        "index": stored.index,
        "timestamp_ms": stored.timestamp_ms,
        "pending": pending_view(pending) if pending is not None else None,
        "receipt_text": receipt_json(receipt).decode() if receipt is not None else "",
    }


@dataclass(frozen=True, slots=True)
class MemberAccounts:
    member_id: str
    name: str
    accounts: list[dict[str, Any]]


def accounts_by_member(node: Node, viewer: Viewer | None = None) -> tuple[list[MemberAccounts], bool]:
    """Every account the viewer may see (up to ``ACCOUNTS_MAX``), grouped by owner; the flag says whether the
    list was cut. A member other than regulator, central bank and auditor sees its own, as ``GET /v1/accounts``."""
    owner = None if viewer is None or viewer.caller.sees_all else viewer.caller.member
    accounts = node.accounts(owner, limit=ACCOUNTS_MAX + 1)
    cut = len(accounts) > ACCOUNTS_MAX
    groups: dict[str, list[dict[str, Any]]] = {}
    for account in accounts[:ACCOUNTS_MAX]:
        view = account_view(account)
        groups.setdefault(view["owner"], []).append(_with_amount_texts(view))
    return [MemberAccounts(owner, member_name(node, owner), rows) for owner, rows in groups.items()], cut


def _with_amount_texts(view: dict[str, Any]) -> dict[str, Any]:
    c = view["currency"]
    return view | {
        "debits_pending": money_text(view["debits_pending_minor"], c),
        "credits_pending": money_text(view["credits_pending_minor"], c),
        "debits_posted": money_text(view["debits_posted_minor"], c),
        "credits_posted": money_text(view["credits_posted_minor"], c),
        "debit_cap": money_text(view["debit_cap_minor"], c),
    }


def account_page(node: Node, account_id: str, viewer: Viewer | None = None) -> dict[str, Any] | None:
    if viewer is not None and not viewer.sees_account(account_id):
        return None
    account = node.account(account_id)
    if account is None:
        return None
    view = _with_amount_texts(account_view(account))
    return {"account": view, "owner_name": member_name(node, view["owner"])}
