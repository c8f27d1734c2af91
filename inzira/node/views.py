"""Plain JSON-ready views of ledger records, shared by the API, the CLI and the pages.

Presentation, so it lives in the node (the layer services and adapters read the ledger through), not in
the pure core.

Amounts stay integers in minor units (``amount_minor``) with their currency; a formatted string for
people is added beside them, never instead of them.
"""

from __future__ import annotations

from typing import Any

import msgspec

from inzira.ledger.apply import prepare
from inzira.ledger.block import BlockHeader
from inzira.ledger.codes import describe
from inzira.ledger.context import TxResult
from inzira.ledger.records import STATUS_NAMES, Account, PendingTransfer
from inzira.ledger.tx import Transfer
from inzira.money import money_text


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, msgspec.Struct):
        out = {f: _plain(getattr(value, f)) for f in value.__struct_fields__}
        if "amount_minor" in out and "currency" in out:
            out["amount"] = money_text(value.amount_minor, value.currency)  # type: ignore[attr-defined]
        return out
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def op_view(op: Any, quotes: tuple = ()) -> dict[str, Any]:
    view = {"kind": type(op).__name__, **_plain(op)}
    if isinstance(op, Transfer):
        view["quotes"] = [_plain(q) for q in quotes]
        view["pending"] = op.expires_at_ms != 0
    return view


def tx_view(raw: bytes, key_owner: dict[bytes, str] | None = None) -> dict[str, Any]:
    """A transaction as JSON: id, reference, deadline, signers and the decoded operation."""
    p = prepare(raw)
    if p.body is None:
        return {"tx_id": None, "malformed": True, "bytes": len(raw)}
    owners = key_owner or {}
    return {
        "tx_id": p.tx_id.hex(),
        "ref": p.body.ref,
        "expires_at_ms": p.body.expires_at_ms,
        "signers": [owners.get(s.key, s.key.hex()) for s in p.sigs],
        "op": op_view(p.body.op, p.quotes),
    }


def result_view(result: TxResult) -> dict[str, Any]:
    return {"code": result.code, "at": result.at, "description": describe(result.code), "ok": result.code == 0}


def header_view(header: BlockHeader, block_hash: bytes) -> dict[str, Any]:
    return {
        "height": header.height,
        "hash": block_hash.hex(),
        "prev_hash": header.prev_hash.hex(),
        "timestamp_ms": header.timestamp_ms,
        "tx_count": header.tx_count,
        "tx_root": header.tx_root.hex(),
        "state_hash": header.state_hash.hex(),
        "orderer": header.orderer,
        "source_first": header.source_first,
        "source_last": header.source_last,
    }


def account_view(account: Account) -> dict[str, Any]:
    c = account.currency
    return {
        "id": account.id,
        "owner": account.id.partition(":")[0],
        "currency": c,
        "balance_minor": account.balance_minor,
        "available_minor": account.available_minor,
        "debits_posted_minor": account.debits_posted,
        "credits_posted_minor": account.credits_posted,
        "debits_pending_minor": account.debits_pending,
        "credits_pending_minor": account.credits_pending,
        "debit_cap_minor": account.debit_cap_minor,
        "frozen": account.frozen,
        "issuance": account.issuance,
        "balance": money_text(account.balance_minor, c),
        "available": money_text(account.available_minor, c),
    }


def pending_view(pending: PendingTransfer) -> dict[str, Any]:
    return {
        "id": pending.id.hex(),
        "creator": pending.creator,
        "legs": [_plain(leg) for leg in pending.legs],
        "expires_at_ms": pending.expires_at_ms,
        "hashlocked": bool(pending.condition),
        "payee": pending.payee or None,
        "status": STATUS_NAMES[pending.status],
        "resolved_at_ms": pending.resolved_at_ms or None,
    }
