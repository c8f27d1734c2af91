"""One well-formed request per API operation, for the authorization matrix (docs/authorization-matrix.md).

Each request is valid in shape (path, query and body pass the schema), so what answers is the operation's
authorization, then its business rules: a caller that may use the operation never gets 401 or 403 from it,
one that may not always does (or, for another party's resource, 404, as if it did not exist).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from inzira.demo.setup import load_api_keys
from inzira.ledger.records import Leg
from inzira.ledger.tx import Transfer
from inzira.node.signer import MemberSigner

CALLERS = ("anonymous", "sending_fsp", "wallet_issuer", "receiving_fsp", "acquirer", "fx_provider",
           "settlement_bank", "central_bank", "officer", "merchant", "wallet", "fx_client", "funding_client",
           "funding_officer")
# Which demo member (or customer) plays each kind of caller.
MEMBER_OF = {"sending_fsp": "eurosend", "wallet_issuer": "silkpay", "receiving_fsp": "mobimo", "acquirer": "ubumwe",
             "fx_provider": "imari-fx", "settlement_bank": "sbk", "central_bank": "cbr"}


@dataclass(frozen=True)
class Remittance:
    """One remittance eurosend sent to a MobiMo wallet, committed: the ids its routes take."""

    quote_id: str
    transfer_id: str
    pending_id: str  # the reservation on chain (a pending transfer and its transaction)
    resolve_tx_id: str  # the commit on chain


@dataclass(frozen=True)
class Context:
    data_dir: Path
    chain_id: bytes
    tokens: dict[str, str | None]  # caller kind -> bearer token
    merchant_id: str
    wallet_id: str
    signed_tx: bytes  # a transaction eurosend signed
    remittance: Remittance

    def real_ids(self) -> tuple[str, ...]:
        """Ids of resources that exist (a 404 naming one means: not yours to see)."""
        r = self.remittance
        return (self.merchant_id, self.wallet_id, OWN_ACCOUNT, r.quote_id, r.transfer_id, r.pending_id,
                r.resolve_tx_id)


OWN_ACCOUNT = "eurosend:eur"
COMMIT_WAIT_S = 30.0
POLL_S = 0.1


def remit_once(base_url: str, token: str) -> Remittance:
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=COMMIT_WAIT_S,
                      trust_env=False) as http:
        quote = http.post("/v1/remit/quotes", json={"receiver_msisdn": "+250788123456", "amount_type": "SEND",
                                                    "amount_minor": 1_000, "currency": "EUR"})
        if quote.status_code != 201:
            raise RuntimeError(f"the matrix's remittance was not quoted: {quote.text}")
        sent = http.post("/v1/remit/transfers", json={
            "transfer_id": str(uuid.uuid4()), "quote_id": quote.json()["quote_id"],
            "sender": {"id": "cust-1", "name": "Marie Dupont"}, "receiver": {"name": "Jeanne Uwase"}})
        if sent.status_code != 201:
            raise RuntimeError(f"the matrix's remittance was not sent: {sent.text}")
        url = f"/v1/remit/transfers/{sent.json()['transfer_id']}"
        deadline = time.monotonic() + COMMIT_WAIT_S
        while time.monotonic() < deadline:
            view = http.get(url).json()
            if view["state"] == "COMMITTED":
                return Remittance(view["quote_id"], view["transfer_id"], view["pending_id"], view["resolve_tx_id"])
            time.sleep(POLL_S)
    raise RuntimeError(f"the matrix's remittance did not commit in {COMMIT_WAIT_S} s")


def renewed(base_url: str, context: Context) -> Context:
    """The context with a merchant and a wallet of its own, made now by their acquirer and issuer: for the
    operations that replace or revoke a customer's token, so the demo's stay valid for every other one."""

    def make(caller: str, path: str, body: dict[str, str]) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {context.tokens[caller]}"}
        answer = httpx.post(f"{base_url}{path}", json=body, headers=headers, timeout=COMMIT_WAIT_S, trust_env=False)
        if answer.status_code != 201:
            raise RuntimeError(f"the matrix's {path} was not made: {answer.text}")
        return answer.json()

    merchant = make("acquirer", "/v1/qr/merchants", {"name": "Matrix Tokens", "city": "Kigali", "mcc": "5812",
                                                     "location": "KN 3 Rd"})
    wallet = make("wallet_issuer", "/v1/qr/wallets", {"currency": "CNY"})
    tokens = {**context.tokens, "merchant": merchant["merchant_token"], "wallet": wallet["wallet_token"]}
    return dataclasses.replace(context, tokens=tokens, merchant_id=merchant["merchant_id"],
                               wallet_id=wallet["wallet_id"])


def context(base_url: str, data_dir: Path, chain_id: bytes, signer: MemberSigner) -> Context:
    keys = load_api_keys(data_dir)
    qr = json.loads((data_dir / "qr-demo.json").read_text())
    officers = json.loads((data_dir / "remit-officers.json").read_text())
    tokens: dict[str, str | None] = {"anonymous": None, "officer": officers["eurosend"],
                                     "merchant": qr["merchant_token"], "wallet": qr["wallet_token"]}
    tokens |= {kind: keys[member] for kind, member in MEMBER_OF.items()}
    tokens["fx_client"] = json.loads((data_dir / "fx-clients.json").read_text())["eurosend"]
    tokens["funding_client"] = json.loads((data_dir / "funding-clients.json").read_text())["eurosend"]
    tokens["funding_officer"] = json.loads((data_dir / "funding-officers.json").read_text())["sbk/officer-1"]
    tx = signer.sign(Transfer((Leg("eurosend:eur", "mobimo:eur", 1, "EUR"),)))
    return Context(data_dir, chain_id, tokens, qr["merchant_id"], qr["wallet_id"], tx,
                   remit_once(base_url, keys["eurosend"]))


# They replace or revoke the token of the merchant or wallet they name: each runs on a merchant and a wallet
# made for it, made again once a caller got through (``renewed``).
TOKEN_OPERATIONS = ("POST /v1/qr/merchants/{merchant_id}/token", "DELETE /v1/qr/merchants/{merchant_id}/token",
                    "POST /v1/qr/wallets/{wallet_id}/token", "DELETE /v1/qr/wallets/{wallet_id}/token")
Request = tuple[str, dict[str, Any]]  # url, httpx keyword arguments
Builder = Callable[[Context], Request]


def _json(url: str, body: Any) -> Request:
    return url, {"json": body}


def _nothing(url: str) -> Request:
    return url, {}


UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"
UNKNOWN_FUNDING = "fr-" + "0" * 32
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
    "GET /v1/qr/wallets/{wallet_id}/topups/{topup_id}": lambda c: _nothing(
        f"/v1/qr/wallets/{c.wallet_id}/topups/top_0000000000000000a"),
    "POST /v1/qr/wallets/{wallet_id}/topups/{topup_id}/check": lambda c: _nothing(
        f"/v1/qr/wallets/{c.wallet_id}/topups/top_0000000000000000a/check"),
    "POST /v1/qr/card-notifications/{issuer}": lambda c: ("/v1/qr/card-notifications/silkpay", {
        "content": b'{"event":"payment.authorized"}', "headers": {"Content-Type": "application/json"}}),
    "POST /v1/qr/tickets": lambda c: _nothing("/v1/qr/tickets"),
    "POST /v1/tickets": lambda c: _nothing("/v1/tickets"),
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
    "POST /v1/qr/merchants/{merchant_id}/token": lambda c: _nothing(f"/v1/qr/merchants/{c.merchant_id}/token"),
    "DELETE /v1/qr/merchants/{merchant_id}/token": lambda c: _nothing(
        f"/v1/qr/merchants/{c.merchant_id}/token"),
    "POST /v1/qr/wallets/{wallet_id}/token": lambda c: _nothing(f"/v1/qr/wallets/{c.wallet_id}/token"),
    "DELETE /v1/qr/wallets/{wallet_id}/token": lambda c: _nothing(f"/v1/qr/wallets/{c.wallet_id}/token"),
    "POST /v1/transactions": lambda c: _json("/v1/transactions", {"tx": base64.b64encode(c.signed_tx).decode()}),
    "POST /v1/transactions/batch": lambda c: _json("/v1/transactions/batch",
                                                   {"txs": [base64.b64encode(c.signed_tx).decode()]}),
    "GET /v1/transactions/{tx_id}": lambda c: _nothing(f"/v1/transactions/{c.remittance.resolve_tx_id}"),
    "GET /v1/transactions/{tx_id}/receipt": lambda c: _nothing(
        f"/v1/transactions/{c.remittance.resolve_tx_id}/receipt"),
    "POST /v1/receipts/verify": lambda c: _json("/v1/receipts/verify", {"format": "inzira-receipt/1"}),
    "GET /v1/accounts": lambda c: _nothing("/v1/accounts"),
    "GET /v1/accounts/{account_id}": lambda c: _nothing(f"/v1/accounts/{OWN_ACCOUNT}"),
    "GET /v1/pending/{pending_id}": lambda c: _nothing(f"/v1/pending/{c.remittance.pending_id}"),
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
    "GET /v1/fsp/{fsp}/parties/MSISDN/{msisdn}": lambda c: _nothing("/v1/fsp/mobimo/parties/MSISDN/+250788999001"),
    "POST /v1/fsp/{fsp}/quotes": lambda c: _json("/v1/fsp/mobimo/quotes", {
        "quote_id": "authz-quote-1", "msisdn": "+250788999001", "amount_type": "SEND",
        "amount_received_minor": 10_000, "receiving_fee_minor": 300, "currency": "RWF",
        "expires_at_ms": 4_000_000_000_000, "sender_name": "Marie Dupont", "receiver_name": "Jeanne Uwase"}),
    "POST /v1/remit/payouts/{fsp}/callbacks/{reference_id}/{token}": lambda c: _json(
        f"/v1/remit/payouts/mobimo/callbacks/{UNKNOWN_UUID}/{'0' * 64}", {"status": "SUCCESSFUL"}),
    "POST /v1/remit/quotes": lambda c: _json("/v1/remit/quotes", {"receiver_msisdn": "+250788123456",
                                                                  "amount_type": "SEND", "amount_minor": 1_000,
                                                                  "currency": "EUR"}),
    "GET /v1/remit/quotes/{quote_id}": lambda c: _nothing(f"/v1/remit/quotes/{c.remittance.quote_id}"),
    "POST /v1/remit/transfers": lambda c: _json("/v1/remit/transfers", {
        "transfer_id": str(uuid.uuid4()), "quote_id": UNKNOWN_UUID, "sender": {"id": "cust-1", "name": "Marie Dupont"},
        "receiver": {"name": "Jeanne Uwase"}}),
    "GET /v1/remit/transfers": lambda c: _nothing("/v1/remit/transfers"),
    "GET /v1/remit/incoming": lambda c: _nothing("/v1/remit/incoming"),
    "GET /v1/remit/payouts/flagged": lambda c: _nothing("/v1/remit/payouts/flagged"),
    "GET /v1/remit/transfers/{transfer_id}": lambda c: _nothing(f"/v1/remit/transfers/{c.remittance.transfer_id}"),
    "GET /v1/remit/transfers/{transfer_id}/receipt": lambda c: _nothing(
        f"/v1/remit/transfers/{c.remittance.transfer_id}/receipt"),
    "GET /v1/remit/compliance/held": lambda c: _nothing("/v1/remit/compliance/held"),
    "POST /v1/remit/compliance/transfers/{transfer_id}/decision": lambda c: _json(
        f"/v1/remit/compliance/transfers/{UNKNOWN_UUID}/decision", {"decision": "approve", "note": "matrix"}),
    "GET /v1/remit/compliance/decisions": lambda c: _nothing("/v1/remit/compliance/decisions"),
    "GET /v1/remit/liquidity/positions": lambda c: _nothing("/v1/remit/liquidity/positions"),
    "POST /v1/remit/liquidity/deposits": lambda c: _json("/v1/remit/liquidity/deposits", {
        "account": "eurosend:eur", "amount_minor": 100, "settlement_reference": "matrix"}),
    "POST /v1/remit/liquidity/withdrawals": lambda c: _json("/v1/remit/liquidity/withdrawals",
                                                            {"account": "eurosend:eur", "amount_minor": 1}),
    "PUT /v1/remit/liquidity/thresholds/{account}": lambda c: _json("/v1/remit/liquidity/thresholds/eurosend:eur",
                                                                    {"threshold_minor": 0}),
    "GET /v1/remit/liquidity/alerts": lambda c: _nothing("/v1/remit/liquidity/alerts"),
    "GET /v1/remit/transfers/{transfer_id}/events": lambda c: _nothing(
        f"/v1/remit/transfers/{c.remittance.transfer_id}/events"),
    "GET /v1/remit/events": lambda c: _nothing("/v1/remit/events"),
    "GET /v1/remit/regulator/corridors": lambda c: _nothing("/v1/remit/regulator/corridors"),
    "GET /v1/remit/regulator/flagged": lambda c: _nothing("/v1/remit/regulator/flagged"),
    "GET /v1/remit/webhooks": lambda c: _nothing("/v1/remit/webhooks"),
    "POST /v1/remit/webhooks": lambda c: _json("/v1/remit/webhooks", {"url": "https://hooks.example.org/remit"}),
    "DELETE /v1/remit/webhooks/{hook_id}": lambda c: _nothing("/v1/remit/webhooks/wh-unknown"),
    "POST /fx/v1/fxQuotes": lambda c: _json("/fx/v1/fxQuotes", {
        "for_member": "eurosend", "source_currency": "EUR", "target_currency": "RWF", "source_amount_minor": 1_000}),
    "POST /funding/v1/deposits": lambda c: _json("/funding/v1/deposits", {
        "account": "eurosend:eur", "amount_minor": 100, "settlement_reference": "matrix"}),
    "POST /funding/v1/withdrawals": lambda c: _json("/funding/v1/withdrawals", {"signed_tx": "AAAA"}),
    "GET /funding/v1/requests": lambda c: _nothing("/funding/v1/requests"),
    "GET /funding/v1/requests/{request_id}": lambda c: _nothing(f"/funding/v1/requests/{UNKNOWN_FUNDING}"),
    "POST /funding/v1/requests/{request_id}/approve": lambda c: _json(
        f"/funding/v1/requests/{UNKNOWN_FUNDING}/approve", {"note": "matrix"}),
    "POST /funding/v1/requests/{request_id}/reject": lambda c: _json(
        f"/funding/v1/requests/{UNKNOWN_FUNDING}/reject", {"note": "matrix"}),
    "PUT /funding/v1/caps/{account}": lambda c: _json("/funding/v1/caps/eurosend:eur", {"cap_minor": 0}),
    "GET /v1/directory/parties/MSISDN/{msisdn}": lambda c: _nothing("/v1/directory/parties/MSISDN/+250788123456"),
    "GET /v1/directory/allowance": lambda c: _nothing("/v1/directory/allowance"),
    "POST /v1/directory/registrations": lambda c: _json("/v1/directory/registrations", {
        "member": "mobimo", "msisdn": "+250788999003", "active": True, "request_id": "matrix-1",
        "signed_at_ms": 1, "signature": "00" * 64}),
    "GET /v1/directory/audit": lambda c: _nothing("/v1/directory/audit"),
    "GET /v1/directory/audit/registrations": lambda c: _nothing("/v1/directory/audit/registrations"),
    "GET /v1/directory/disputes": lambda c: _nothing("/v1/directory/disputes"),
    "POST /v1/directory/disputes/{dispute_id}/resolution": lambda c: _json(
        f"/v1/directory/disputes/{UNKNOWN_UUID}/resolution", {"outcome": "keep"}),
}
