"""Receipts: a transaction, its verdict, its Merkle inclusion proof and the signed block header.

A receipt is checked offline with nothing but the genesis: the orderer's key signs the header, the header
holds the Merkle root, the proof links the (transaction, verdict) leaf to that root, and the transaction's
own signatures are checked too.
"""

from __future__ import annotations

import base64
from typing import Any

import msgspec

from inzira.crypto import verify
from inzira.ledger import merkle
from inzira.ledger.apply import prepare
from inzira.ledger.block import SignedHeader, block_hash, check_signed_header, leaf_data
from inzira.ledger.codes import describe
from inzira.ledger.context import TxResult
from inzira.ledger.genesis import Genesis
from inzira.ledger.records import Member

RECEIPT_FORMAT = "inzira-receipt/1"
RECEIPT_PATH_MAX = 64


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def make_receipt(network: str, signed: SignedHeader, raw_tx: bytes, tx_id: bytes, result: TxResult,
                 leaf_index: int, path: list[bytes], height: int, timestamp_ms: int) -> dict[str, Any]:
    return {
        "format": RECEIPT_FORMAT,
        "network": network,
        "tx_id": tx_id.hex(),
        "tx": _b64(raw_tx),
        "result": {"code": result.code, "at": result.at, "description": describe(result.code)},
        "block": {
            "height": height,
            "timestamp_ms": timestamp_ms,
            "hash": block_hash(signed.header).hex(),
            "header": _b64(signed.header),
            "signature": signed.sig.hex(),
        },
        "proof": {"leaf_index": leaf_index, "path": [p.hex() for p in path]},
    }


class ReceiptError(ValueError):
    """Why a receipt does not verify."""


def _field(receipt: dict[str, Any], *path: str) -> Any:
    value: Any = receipt
    for name in path:
        if not isinstance(value, dict) or name not in value:
            raise ReceiptError(f"missing field {'.'.join(path)}")
        value = value[name]
    return value


def _bytes(receipt: dict[str, Any], kind: str, *path: str) -> bytes:
    text = _field(receipt, *path)
    if not isinstance(text, str):
        raise ReceiptError(f"{'.'.join(path)} must be a string")
    try:
        return base64.b64decode(text, validate=True) if kind == "b64" else bytes.fromhex(text)
    except ValueError as exc:
        raise ReceiptError(f"{'.'.join(path)} is not valid {kind}") from exc


def _int(receipt: dict[str, Any], *path: str) -> int:
    value = _field(receipt, *path)
    if type(value) is not int:
        raise ReceiptError(f"{'.'.join(path)} must be an integer")
    return value


def verify_receipt(receipt: dict[str, Any], genesis: Genesis, members: list[Member] | None = None) -> dict[str, Any]:
    """Check a receipt against a genesis; return a summary, or raise ReceiptError naming what is wrong.

    ``members`` (by default the genesis members) are used to say who signed the transaction.
    """
    if _field(receipt, "format") != RECEIPT_FORMAT:
        raise ReceiptError("unknown receipt format")
    signed = SignedHeader(_bytes(receipt, "b64", "block", "header"), _bytes(receipt, "hex", "block", "signature"))
    header, reason = check_signed_header(signed, genesis.orderer_keys())
    if header is None:
        raise ReceiptError(f"block header: {reason}")
    if header.chain_id != genesis.chain_id:
        raise ReceiptError("block header belongs to another network than this genesis")
    if (_int(receipt, "block", "height") != header.height
            or _int(receipt, "block", "timestamp_ms") != header.timestamp_ms):
        raise ReceiptError("block height or time differs from the signed header")
    if _bytes(receipt, "hex", "block", "hash") != block_hash(signed.header):
        raise ReceiptError("block hash differs from the signed header")
    raw = _bytes(receipt, "b64", "tx")
    p = prepare(raw)
    if p.body is None:
        raise ReceiptError("transaction does not decode")
    if _bytes(receipt, "hex", "tx_id") != p.tx_id:
        raise ReceiptError("transaction id differs from the transaction")
    if not p.checks or not all(verify(k, m, s) for k, m, s in p.checks):
        raise ReceiptError("a transaction signature does not verify")
    result = TxResult(_int(receipt, "result", "code"), _int(receipt, "result", "at"))
    path_hex = _field(receipt, "proof", "path")
    if not isinstance(path_hex, list) or len(path_hex) > RECEIPT_PATH_MAX:
        raise ReceiptError("proof.path must be a list of at most 64 hashes")
    try:
        path = [bytes.fromhex(h) for h in path_hex]
    except (TypeError, ValueError) as exc:
        raise ReceiptError("proof.path holds a value that is not hex") from exc
    leaf = merkle.leaf_hash(leaf_data(raw, result))
    if not merkle.verify_inclusion(leaf, _int(receipt, "proof", "leaf_index"), header.tx_count, path, header.tx_root):
        raise ReceiptError("Merkle inclusion proof does not lead to the block's root (transaction or result altered)")
    owners = {k: m.id for m in (members or genesis.members_records()) for k in m.keys}
    return {
        "tx_id": p.tx_id.hex(),
        "code": result.code,
        "description": describe(result.code),
        "height": header.height,
        "timestamp_ms": header.timestamp_ms,
        "signers": [owners.get(s.key, s.key.hex()) for s in p.sigs],
        "network": genesis.network,
    }


def receipt_json(receipt: dict[str, Any]) -> bytes:
    return msgspec.json.format(msgspec.json.encode(receipt), indent=2) + b"\n"
