"""A merchant's id is public (every counter QR shows it) and a bill number may be its own guessable one
("INV-001"): a QR crafted from the two must not tell a stranger's wallet that the bill exists, its status or its
amount. Only the QR the merchant showed, which carries the bill's amount (tag 54) and a random reference label
(62.05), reads or pays the bill: one rebuilt from the number and a guessed amount does not."""

from __future__ import annotations

from typing import Any

from inzira.qr.emv import DataObject, MerchantQr, Profile, decode, encode, merchant_objects, merchant_qr_from_payload
from tests.qr_pay.helpers import Qr, problem

AMOUNT = 7_300


def _crafted(merchant_id: str, number: str, amount_minor: int | None) -> str:
    """A dynamic QR (point of initiation 12) naming the bill by number, with this amount or none."""
    qr = MerchantQr(merchant_id, "X", "Kigali", "5812", amount_minor=amount_minor or 1, bill_number=number)
    objects = [o for o in merchant_objects(qr) if amount_minor is not None or o.tag != "54"]
    return encode([DataObject("01", "12") if o.tag == "01" else o for o in objects])


def _same_answer(answers: list[dict[str, Any]], numbers: list[str]) -> None:
    shapes = {a["detail"].replace(n, "N") for a, n in zip(answers, numbers, strict=True)}
    assert len(shapes) == 1, shapes
    for answer in answers:
        assert "amount_minor" not in answer and "bill" not in answer and str(AMOUNT) not in answer["detail"], answer


def test_a_crafted_qr_naming_a_guessable_bill_number_reveals_nothing(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 50_000)
    bill = qr.bill(merchant, AMOUNT, bill_number="INV-001")
    page, mid = qr.visitor(wallet), merchant["merchant_id"]
    tries = [(_crafted(mid, "INV-001", None), "INV-001"), (_crafted(mid, "INV-001", 5_000), "INV-001"),
             (_crafted(mid, "INV-999", AMOUNT), "INV-999"), (_crafted(mid, "INV-999", None), "INV-999"),
             (_crafted(mid, "INV-001", AMOUNT), "INV-001")]  # the right amount guessed: still no reference label
    decoded = [problem(page.post("/v1/qr/decode", json={"payload": p}), 404, 3251) for p, _ in tries]
    _same_answer(decoded, [n for _, n in tries])
    quoted = [problem(qr.quote(wallet, p), 404, 3251) for p, _ in tries]
    _same_answer(quoted, [n for _, n in tries])
    # The QR Inzira made for the bill carries its amount (tag 54): the merchant's real QR reads and pays.
    shown = merchant_qr_from_payload(decode(bill["payload"], Profile.STRICT))
    assert shown.amount_minor == AMOUNT and len(shown.reference_label or "") == 16
    scan = page.post("/v1/qr/decode", json={"payload": bill["payload"]}).json()
    assert scan["kind"] == "dynamic" and scan["amount_minor"] == AMOUNT and scan["bill"]["status"] == "open"
    assert qr.quote_and_pay(wallet, bill["payload"])["status"] == "completed"
    # Paid now: the crafted QR still learns nothing (not even "already paid").
    paid = problem(page.post("/v1/qr/decode", json={"payload": tries[0][0]}), 404, 3251)
    _same_answer([paid, decoded[0]], ["INV-001", "INV-001"])
