"""JSON views of the service's records, for the API, the event streams and the webhooks.

Amounts stay integers in minor units with their currency; a formatted text for people sits beside them.
A merchant's view of a payment never names the visitor's wallet; a wallet's view names the merchant.
"""

from __future__ import annotations

from typing import Any

from inzira.money import money_text
from inzira.qr.codes import title
from inzira.qr.mcc import mcc_name
from inzira.qr.records import (
    AUTHORIZED,
    AWAITING_CARD,
    Bill,
    CardTopUp,
    Merchant,
    Payment,
    Refund,
    TopUp,
    Wallet,
    WalletEntry,
)

PREFIX = "/v1/qr"
CARD_NOTIFICATIONS_PATH = f"{PREFIX}/card-notifications"  # + "/<issuer>": the acquirers' callbacks
EXTERNAL_PREFIX = "fspiop:"  # the wallet_id of a payment from outside Inzira (see external.py)


def is_external(payment: Payment) -> bool:
    return payment.wallet_id.startswith(EXTERNAL_PREFIX)


def payer_text(payment: Payment) -> str | None:
    """"eKash · payerfsp · *******789" for a payment from outside Inzira; None for an Inzira wallet's."""
    if not is_external(payment):
        return None
    fsp, _, masked = payment.wallet_id.removeprefix(EXTERNAL_PREFIX).rpartition("/")
    return f"eKash · {fsp} · {masked}"


def merchant_path(merchant_id: str) -> str:
    return f"{PREFIX}/merchants/{merchant_id}"


def bill_path(merchant_id: str, bill_id: str) -> str:
    return f"{merchant_path(merchant_id)}/bills/{bill_id}"


def wallet_path(wallet_id: str) -> str:
    return f"{PREFIX}/wallets/{wallet_id}"


def _code_text(code: int) -> str:
    return "committed" if code == 0 else title(code)


def merchant_view(m: Merchant) -> dict[str, Any]:
    base = merchant_path(m.id)
    alternate = m.alternate
    return {
        "merchant_id": m.id,
        "acquirer": m.acquirer,
        "name": m.name,
        "city": m.city,
        "mcc": m.mcc,
        "mcc_name": mcc_name(m.mcc),
        "location": m.location,
        "postal_code": m.postal_code,
        "alternate": None if alternate is None else
        {"language": alternate.language, "name": alternate.name, "city": alternate.city},
        "account": m.account,
        "created_at_ms": m.created_at_ms,
        "static_qr": {"payload": m.static_payload, "svg_url": f"{base}/qr.svg", "png_url": f"{base}/qr.png"},
        "events_url": f"{base}/events",
    }


def bill_view(b: Bill, now_ms: int) -> dict[str, Any]:
    base = bill_path(b.merchant_id, b.id)
    return {
        "bill_id": b.id,
        "merchant_id": b.merchant_id,
        "bill_number": b.bill_number,
        "amount_minor": b.amount_minor,
        "currency": b.currency,
        "amount": money_text(b.amount_minor, b.currency),
        "status": b.state(now_ms),
        "payment_id": b.payment_id if b.status != "open" else None,
        "terminal_label": b.terminal_label,
        "created_at_ms": b.created_at_ms,
        "expires_at_ms": b.expires_at_ms,
        "payload": b.payload,
        "svg_url": f"{base}/qr.svg",
        "png_url": f"{base}/qr.png",
        "events_url": f"{base}/events",
    }


def wallet_view(w: Wallet) -> dict[str, Any]:
    return {"wallet_id": w.id, "issuer": w.issuer, "currency": w.currency, "account": w.account,
            "holder": w.holder, "created_at_ms": w.created_at_ms, "events_url": f"{wallet_path(w.id)}/events"}


def _ledger_fields(code: int, tx_id: bytes, height: int) -> dict[str, Any]:
    return {"code": code, "description": _code_text(code), "tx_id": tx_id.hex() or None, "height": height or None}


def payment_view(p: Payment, merchant_name: str, *, for_wallet: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "payment_id": p.id,
        "status": p.status,
        **_ledger_fields(p.code, p.tx_id, p.height),
        "merchant_id": p.merchant_id,
        "merchant_name": merchant_name,
        "bill_id": p.bill_id,
        "bill_number": p.bill_number,
        "amount_minor": p.amount_minor,
        "currency": "RWF",
        "amount": money_text(p.amount_minor, "RWF"),
        "wallet_currency": p.wallet_currency,
        "wallet_amount_minor": p.wallet_amount_minor,
        "wallet_amount": money_text(p.wallet_amount_minor, p.wallet_currency),
        "rate": p.rate,
        "mid_rate": p.mid_rate,
        "margin_percent": p.margin_percent,
        "fx_margin_minor": p.fx_margin_minor,
        "memo": p.memo,
        "payer": payer_text(p),
        "created_at_ms": p.created_at_ms,
        "settled_at_ms": p.settled_at_ms,
        "refunded_minor": p.refunded_minor,
        "refundable_minor": max(0, p.refundable_minor) if p.status == "completed" and not is_external(p) else 0,
    }
    if for_wallet:
        view.update(wallet_id=p.wallet_id, quote_id=p.quote_id,
                    receipt_url=f"{wallet_path(p.wallet_id)}/payments/{p.id}/receipt")
    else:
        view["receipt_url"] = f"{merchant_path(p.merchant_id)}/payments/{p.id}/receipt"
    return view


def refund_view(r: Refund, *, for_wallet: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "refund_id": r.id,
        "payment_id": r.payment_id,
        "status": r.status,
        **_ledger_fields(r.code, r.tx_id, r.height),
        "merchant_id": r.merchant_id,
        "amount_minor": r.amount_minor,
        "currency": "RWF",
        "amount": money_text(r.amount_minor, "RWF"),
        "wallet_currency": r.wallet_currency,
        "wallet_amount_minor": r.wallet_amount_minor,
        "wallet_amount": money_text(r.wallet_amount_minor, r.wallet_currency),
        "rate": r.rate,
        "reason": r.reason,
        "created_at_ms": r.created_at_ms,
        "settled_at_ms": r.settled_at_ms,
    }
    if for_wallet:
        view["wallet_id"] = r.wallet_id
    return view


def topup_view(t: TopUp) -> dict[str, Any]:
    return {
        "topup_id": t.id,
        "wallet_id": t.wallet_id,
        "status": t.status,
        **_ledger_fields(t.code, t.tx_id, t.height),
        "amount_minor": t.amount_minor,
        "currency": t.currency,
        "amount": money_text(t.amount_minor, t.currency),
        "card_reference": t.card_reference,
        "created_at_ms": t.created_at_ms,
        "settled_at_ms": t.settled_at_ms,
    }


# An authorized card top-up's status is its credit's: on its way to the ledger, on chain, or refused.
_CREDIT_STATUS = {"submitted": "crediting", "completed": "completed", "failed": "credit_failed"}


def card_topup_view(c: CardTopUp, credit: TopUp | None) -> dict[str, Any]:
    """A top-up as its wallet sees it: the card payment, then (once authorized) its credit on chain."""
    status = c.status
    if c.status == AUTHORIZED and credit is not None:
        status = _CREDIT_STATUS[credit.status]
    return {
        "topup_id": c.id,
        "wallet_id": c.wallet_id,
        "status": status,
        "amount_minor": c.amount_minor,
        "currency": c.currency,
        "amount": money_text(c.amount_minor, c.currency),
        "card_form_url": c.card_form_url if c.status == AWAITING_CARD else None,
        "expires_at_ms": c.expires_at_ms,
        "payment_id": c.payment_id,
        "card": None if c.card_brand is None else {"brand": c.card_brand, "last4": c.card_last4},
        "reason": c.reason,
        "code": None if credit is None else credit.code,
        "description": None if credit is None else _code_text(credit.code),
        "tx_id": None if credit is None else credit.tx_id.hex(),
        "height": None if credit is None else credit.height or None,
        "created_at_ms": c.created_at_ms,
        "updated_at_ms": c.updated_at_ms,
        "settled_at_ms": None if credit is None else credit.settled_at_ms,
        "check_url": f"{wallet_path(c.wallet_id)}/topups/{c.id}/check",
    }


def entry_view(e: WalletEntry, currency: str) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "kind": e.kind,
        "ref_id": e.ref_id,
        "amount_minor": e.amount_minor,
        "currency": currency,
        "amount": money_text(e.amount_minor, currency),
        "balance_after_minor": e.balance_after_minor,
        "counterparty": e.counterparty,
        "price_minor": e.price_minor,
        "price_currency": None if e.price_minor is None else "RWF",
        "tx_id": e.tx_id.hex(),
        "at_ms": e.at_ms,
    }
