"""Pydantic models of requests and responses, for validation at the edge and for the OpenAPI document.

Handlers answer with msgspec-encoded JSON for speed; tests check that answers match these models.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from inzira.api.settings import BATCH_TXS_MAX
from inzira.ledger.ids import ACCOUNT_NAME_RE, MEMBER_ID_RE

HEX_ID_PATTERN = "^[0-9a-fA-F]{64}$"  # transaction and pending ids in paths
ACCOUNT_ID_PATTERN = f"^{MEMBER_ID_RE.pattern}:{ACCOUNT_NAME_RE.pattern}$"
_HEX64 = {"examples": ["9f2c0d5e" * 8]}


class ProblemModel(BaseModel):
    """RFC 9457 problem details, with the stable 4-digit code; ledger rejections add where the tx lies."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "type": "urn:inzira:problem:4001", "title": "payer FSP insufficient liquidity", "status": 422,
        "detail": "the ledger rejected the transaction: payer FSP insufficient liquidity (element 0)",
        "code": 4001, "instance": "/v1/transactions", "tx_id": "9f2c0d5e" * 8, "height": 42, "index": 3, "at": 0,
        "receipt_url": f"/v1/transactions/{'9f2c0d5e' * 8}/receipt"}]})
    type: str
    title: str
    status: int
    detail: str
    code: int
    instance: str
    tx_id: str | None = None
    height: int | None = None
    index: int | None = None


class TxSubmitJson(BaseModel):
    tx: str = Field(description="The signed transaction's canonical bytes, base64 (standard alphabet)")


class BatchRequest(BaseModel):
    txs: list[Annotated[str, WithJsonSchema({"type": "string", "format": "byte"})]] = Field(
        min_length=1, max_length=BATCH_TXS_MAX,
        description="Signed transactions, base64; all are submitted, then all are awaited")


class SubmitResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "tx_id": "9f2c0d5e" * 8, "code": 0, "description": "committed", "height": 42, "index": 3,
        "receipt_url": f"/v1/transactions/{'9f2c0d5e' * 8}/receipt"}]})
    tx_id: str = Field(json_schema_extra=_HEX64)
    code: int
    description: str
    height: int
    index: int
    receipt_url: str


class BatchItem(BaseModel):
    model_config = ConfigDict(extra="allow")
    status: int = Field(description="The HTTP status the single submit endpoint would have answered")
    code: int
    description: str
    detail: str | None = None
    tx_id: str | None = None
    height: int | None = None
    index: int | None = None
    receipt_url: str | None = None


class BatchResult(BaseModel):
    results: list[BatchItem]
    committed: int
    rejected: int = Field(description="Entries not committed: refused, rejected or still undecided (see each status)")


class TxDetail(BaseModel):
    tx_id: str = Field(json_schema_extra=_HEX64)
    height: int
    index: int
    timestamp_ms: int
    tx: dict[str, Any] = Field(description="tx_id, ref, expires_at_ms, signers and the decoded operation")
    result: dict[str, Any] = Field(description="code, at, description, ok")
    receipt_url: str


class AccountModel(BaseModel):
    id: str
    owner: str
    currency: str
    balance_minor: int
    available_minor: int
    debits_posted_minor: int
    credits_posted_minor: int
    debits_pending_minor: int
    credits_pending_minor: int
    debit_cap_minor: int
    frozen: bool
    issuance: bool
    balance: str
    available: str


class AccountPage(BaseModel):
    accounts: list[AccountModel]
    next_cursor: str | None = Field(description="Pass as cursor= for the next page; null on the last page")


class PendingModel(BaseModel):
    id: str
    creator: str
    legs: list[dict[str, Any]]
    expires_at_ms: int
    hashlocked: bool
    status: str = Field(description="RESERVED, COMMITTED, ABORTED or EXPIRED")
    resolved_at_ms: int | None


class BlockSummary(BaseModel):
    height: int
    hash: str
    timestamp_ms: int
    tx_count: int


class BlockPage(BaseModel):
    blocks: list[BlockSummary]
    next_before: int | None = Field(description="Pass as before= for older blocks; null at block 1")


class BlockTx(BaseModel):
    index: int
    tx_id: str | None
    code: int
    description: str
    visible: bool = Field(description="False: the caller may see only the id and the verdict")
    kind: str | None = None
    submitter: str | None = None
    at: int | None = None


class BlockDetail(BaseModel):
    header: dict[str, Any]
    signature: str
    txs: list[BlockTx]
    txs_from: int
    txs_next: int | None = Field(description="Pass as txs_from= for the block's next transactions")


class VerifyResult(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"valid": True, "tx_id": "9f2c0d5e" * 8, "code": 0, "description": "committed", "height": 42,
         "timestamp_ms": 1790000000000, "signers": ["eurosend"], "network": "inzira-demo"},
        {"valid": False, "reason": "orderer signature does not verify"}]})
    valid: bool
    reason: str | None = None


class Health(BaseModel):
    status: str
    height: int
    chain_id: str
    network: str
    failed: str | None


class TicketModel(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "ticket": "bWVtYmVyOmV1cm9zZW5kCjE3OTAwMDAwNjAwMDA=.c2lnbmF0dXJl", "expires_at_ms": 1790000060000,
        "ttl_ms": 60000}]})
    ticket: str = Field(description="Pass as ?ticket= to an event stream")
    expires_at_ms: int
    ttl_ms: int
