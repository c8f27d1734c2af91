"""One well-formed request per API operation, for the authorization matrix (docs/authorization-matrix.md).

Each request is valid in shape (path, query and body pass the schema), so what answers is the operation's
authorization, then its business rules: a caller that may use the operation never gets 401 or 403 from it,
one that may not always does (or, for another party's resource, 404, as if it did not exist).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inzira.demo.setup import load_api_keys
from inzira.ledger.records import Leg
from inzira.ledger.tx import Transfer
from inzira.node.signer import MemberSigner

CALLERS = ("anonymous", "sending_fsp", "wallet_issuer", "receiving_fsp", "acquirer", "fx_provider",
           "settlement_bank", "central_bank", "officer", "merchant", "wallet")
# Which demo member (or customer) plays each kind of caller.
MEMBER_OF = {"sending_fsp": "eurosend", "wallet_issuer": "silkpay", "receiving_fsp": "mobimo", "acquirer": "ubumwe",
             "fx_provider": "imari-fx", "settlement_bank": "sbk", "central_bank": "cbr"}


@dataclass(frozen=True)
class Context:
    data_dir: Path
    chain_id: bytes
    tokens: dict[str, str | None]  # caller kind -> bearer token
    merchant_id: str
    wallet_id: str
    signed_tx: bytes  # a transaction eurosend signed


def context(data_dir: Path, chain_id: bytes, signer: MemberSigner) -> Context:
    keys = load_api_keys(data_dir)
    qr = json.loads((data_dir / "qr-demo.json").read_text())
    officers = json.loads((data_dir / "remit-officers.json").read_text())
    tokens: dict[str, str | None] = {"anonymous": None, "officer": officers["eurosend"],
                                     "merchant": qr["merchant_token"], "wallet": qr["wallet_token"]}
    tokens |= {kind: keys[member] for kind, member in MEMBER_OF.items()}
    tx = signer.sign(Transfer((Leg("eurosend:eur", "mobimo:eur", 1, "EUR"),)))
    return Context(data_dir, chain_id, tokens, qr["merchant_id"], qr["wallet_id"], tx)


Request = tuple[str, dict[str, Any]]  # url, httpx keyword arguments
Builder = Callable[[Context], Request]


def _json(url: str, body: Any) -> Request:
    return url, {"json": body}


def _nothing(url: str) -> Request:
    return url, {}


UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"
UNKNOWN_HEX = "00" * 32
QR_PAYLOAD = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A"

REQUESTS: dict[str, Builder] = {
    "POST /v1/qr/decode": lambda c: _json("/v1/qr/decode", {"payload": QR_PAYLOAD}),
    "POST /v1/qr/decode/image": lambda c: ("/v1/qr/decode/image",
                                           {"content": b"not an image", "headers": {"Content-Type": "image/png"}}),
    "POST /v1/qr/wallets/{wallet_id}/quotes": lambda c: _json(f"/v1/qr/wallets/{c.wallet_id}/quotes",
                                                               {"payload": QR_PAYLOAD}),
    "POST /v1/qr/wallets/{wallet_id}/payments": lambda c: _json(f"/v1/qr/wallets/{c.wallet_id}/payments",
                                                                 {"quote_id": "q-unknown"}),
    "GET /v1/qr/wallets/{wallet_id}/payments/{payment_id}": lambda c: _nothing(
        f"/v1/qr/wallets/{c.wallet_id}/payments/pay_0000000000000000a"),
    "GET /v1/qr/wallets/{wallet_id}/payments/{payment_id}/receipt": lambda c: _nothing(
        f"/v1/qr/wallets/{c.wallet_id}/payments/pay_0000000000000000a/receipt"),
    "POST /v1/qr/wallets": lambda c: _json("/v1/qr/wallets", {"currency": "CNY", "holder": "Matrix Test"}),
    "GET /v1/qr/wallets/{wallet_id}": lambda c: _nothing(f"/v1/qr/wallets/{c.wallet_id}"),
    "POST /v1/qr/wallets/{wallet_id}/topups": lambda c: _json(f"/v1/qr/wallets/{c.wallet_id}/topups",
                                                               {"amount_minor": 100}),
    "GET /v1/qr/wallets/{wallet_id}/history": lambda c: _nothing(f"/v1/qr/wallets/{c.wallet_id}/history"),
    "POST /v1/qr/merchants": lambda c: _json("/v1/qr/merchants", {"name": "Matrix Cafe", "city": "Kigali",
                                                                  "mcc": "5812", "location": "KN 3 Rd"}),
    "GET /v1/qr/merchants/{merchant_id}": lambda c: _nothing(f"/v1/qr/merchants/{c.merchant_id}"),
    "GET /v1/qr/merchants/{merchant_id}/qr": lambda c: _nothing(f"/v1/qr/merchants/{c.merchant_id}/qr"),
    "GET /v1/qr/merchants/{merchant_id}/qr.{kind}": lambda c: _nothing(f"/v1/qr/merchants/{c.merchant_id}/qr.svg"),
    "POST /v1/qr/merchants/{merchant_id}/bills": lambda c: _json(f"/v1/qr/merchants/{c.merchant_id}/bills",
                                                                  {"amount_minor": 1_000}),
    "GET /v1/qr/merchants/{merchant_id}/bills/{bill_id}": lambda c: _nothing(
        f"/v1/qr/merchants/{c.merchant_id}/bills/bill_0000000000000000a"),
    "GET /v1/qr/merchants/{merchant_id}/bills/{bill_id}/qr.{kind}": lambda c: _nothing(
        f"/v1/qr/merchants/{c.merchant_id}/bills/bill_0000000000000000a/qr.svg"),
    "PUT /v1/qr/acquirers/{acquirer}/webhook": lambda c: _json("/v1/qr/acquirers/ubumwe/webhook",
                                                               {"url": "https://hooks.example.org/inzira"}),
    "GET /v1/qr/acquirers/{acquirer}/webhook": lambda c: _nothing("/v1/qr/acquirers/ubumwe/webhook"),
    "GET /v1/qr/merchants/{merchant_id}/payments/{payment_id}": lambda c: _nothing(
        f"/v1/qr/merchants/{c.merchant_id}/payments/pay_0000000000000000a"),
    "GET /v1/qr/merchants/{merchant_id}/payments/{payment_id}/receipt": lambda c: _nothing(
        f"/v1/qr/merchants/{c.merchant_id}/payments/pay_0000000000000000a/receipt"),
    "POST /v1/qr/merchants/{merchant_id}/payments/{payment_id}/refunds": lambda c: _json(
        f"/v1/qr/merchants/{c.merchant_id}/payments/pay_0000000000000000a/refunds", {"amount_minor": 1}),
    "GET /v1/qr/merchants/{merchant_id}/statement": lambda c: _nothing(f"/v1/qr/merchants/{c.merchant_id}/statement"),
    "GET /v1/qr/merchants/{merchant_id}/events": lambda c: _nothing(f"/v1/qr/merchants/{c.merchant_id}/events"),
    "GET /v1/qr/merchants/{merchant_id}/bills/{bill_id}/events": lambda c: _nothing(
        f"/v1/qr/merchants/{c.merchant_id}/bills/bill_0000000000000000a/events"),
    "GET /v1/qr/wallets/{wallet_id}/events": lambda c: _nothing(f"/v1/qr/wallets/{c.wallet_id}/events"),
    "POST /v1/transactions": lambda c: _json("/v1/transactions", {"tx": base64.b64encode(c.signed_tx).decode()}),
    "POST /v1/transactions/batch": lambda c: _json("/v1/transactions/batch",
                                                   {"txs": [base64.b64encode(c.signed_tx).decode()]}),
    "GET /v1/transactions/{tx_id}": lambda c: _nothing(f"/v1/transactions/{UNKNOWN_HEX}"),
    "GET /v1/transactions/{tx_id}/receipt": lambda c: _nothing(f"/v1/transactions/{UNKNOWN_HEX}/receipt"),
    "POST /v1/receipts/verify": lambda c: _json("/v1/receipts/verify", {"format": "inzira-receipt/1"}),
    "GET /v1/accounts": lambda c: _nothing("/v1/accounts"),
    "GET /v1/accounts/{account_id}": lambda c: _nothing("/v1/accounts/eurosend:eur"),
    "GET /v1/pending/{pending_id}": lambda c: _nothing(f"/v1/pending/{UNKNOWN_HEX}"),
    "GET /v1/blocks": lambda c: _nothing("/v1/blocks"),
    "GET /v1/blocks/{height}": lambda c: _nothing("/v1/blocks/1"),
    "GET /v1/events": lambda c: _nothing("/v1/events"),
    "GET /v1/genesis": lambda c: _nothing("/v1/genesis"),
    "GET /health": lambda c: _nothing("/health"),
    "GET /metrics": lambda c: _nothing("/metrics"),
    "POST /explorer/verify-receipt": lambda c: _json("/explorer/verify-receipt", {"format": "inzira-receipt/1"}),
    "GET /v1/remit/parties/MSISDN/{msisdn}": lambda c: _nothing("/v1/remit/parties/MSISDN/250788123456"),
    "POST /v1/remit/directory": lambda c: _json("/v1/remit/directory", {"msisdn": "+250788999001"}),
    "DELETE /v1/remit/directory/{msisdn}": lambda c: _nothing("/v1/remit/directory/250788999002"),
    "POST /v1/remit/quotes": lambda c: _json("/v1/remit/quotes", {"receiver_msisdn": "+250788123456",
                                                                  "amount_type": "SEND", "amount_minor": 1_000,
                                                                  "currency": "EUR"}),
    "GET /v1/remit/quotes/{quote_id}": lambda c: _nothing(f"/v1/remit/quotes/{UNKNOWN_UUID}"),
    "POST /v1/remit/transfers": lambda c: _json("/v1/remit/transfers", {
        "transfer_id": str(uuid.uuid4()), "quote_id": UNKNOWN_UUID, "sender": {"id": "cust-1", "name": "Marie Dupont"},
        "receiver": {"name": "Jeanne Uwase"}}),
    "GET /v1/remit/transfers": lambda c: _nothing("/v1/remit/transfers"),
    "GET /v1/remit/incoming": lambda c: _nothing("/v1/remit/incoming"),
    "GET /v1/remit/transfers/{transfer_id}": lambda c: _nothing(f"/v1/remit/transfers/{UNKNOWN_UUID}"),
    "GET /v1/remit/transfers/{transfer_id}/receipt": lambda c: _nothing(f"/v1/remit/transfers/{UNKNOWN_UUID}/receipt"),
    "GET /v1/remit/compliance/held": lambda c: _nothing("/v1/remit/compliance/held"),
    "POST /v1/remit/compliance/transfers/{transfer_id}/decision": lambda c: _json(
        f"/v1/remit/compliance/transfers/{UNKNOWN_UUID}/decision", {"decision": "approve", "note": "matrix"}),
    "GET /v1/remit/compliance/decisions": lambda c: _nothing("/v1/remit/compliance/decisions"),
    "GET /v1/remit/liquidity/positions": lambda c: _nothing("/v1/remit/liquidity/positions"),
    "POST /v1/remit/liquidity/deposits": lambda c: _json("/v1/remit/liquidity/deposits",
                                                         {"account": "eurosend:eur", "amount_minor": 100}),
    "POST /v1/remit/liquidity/withdrawals": lambda c: _json("/v1/remit/liquidity/withdrawals",
                                                            {"account": "eurosend:eur", "amount_minor": 1}),
    "PUT /v1/remit/liquidity/caps/{account}": lambda c: _json("/v1/remit/liquidity/caps/eurosend:eur",
                                                              {"cap_minor": 0}),
    "PUT /v1/remit/liquidity/thresholds/{account}": lambda c: _json("/v1/remit/liquidity/thresholds/eurosend:eur",
                                                                    {"threshold_minor": 0}),
    "GET /v1/remit/liquidity/alerts": lambda c: _nothing("/v1/remit/liquidity/alerts"),
    "GET /v1/remit/transfers/{transfer_id}/events": lambda c: _nothing(f"/v1/remit/transfers/{UNKNOWN_UUID}/events"),
    "GET /v1/remit/events": lambda c: _nothing("/v1/remit/events"),
    "GET /v1/remit/regulator/corridors": lambda c: _nothing("/v1/remit/regulator/corridors"),
    "GET /v1/remit/regulator/flagged": lambda c: _nothing("/v1/remit/regulator/flagged"),
    "GET /v1/remit/webhooks": lambda c: _nothing("/v1/remit/webhooks"),
    "POST /v1/remit/webhooks": lambda c: _json("/v1/remit/webhooks", {"url": "https://hooks.example.org/remit"}),
    "DELETE /v1/remit/webhooks/{hook_id}": lambda c: _nothing("/v1/remit/webhooks/wh-unknown"),
}
