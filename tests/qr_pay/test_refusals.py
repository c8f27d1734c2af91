"""What cannot be paid, said with a stable code, and nothing moved."""

from __future__ import annotations

from inzira.qr.emv import (
    INZIRA_GUID,
    DataObject,
    MerchantQr,
    Profile,
    encode,
    encode_merchant_qr,
    merchant_objects,
)
from tests.qr_pay.helpers import Qr, created, problem

# Thailand's PromptPay (a real national scheme): a valid EMVCo QR, but not an Inzira merchant.
PROMPTPAY = "00020101021129370016A000000677010111011300668012345675802TH530376463046197"
SPEC_EXAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN"
    "5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***"
    "0708A60086670902ME91320016A0112233449988770708123456786304A13A"
)


def test_insufficient_wallet_funds_moves_nothing(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 1_000)  # 10.00 CNY
    bill = qr.bill(merchant, 50_000)  # about 250 CNY
    quote = created(qr.quote(wallet, bill["payload"]))
    refused = problem(qr.pay(wallet, quote["quote_id"]), 422, 4001)
    assert "nothing was moved" in refused["detail"]
    assert qr.balance(wallet["account"]) == 1_000 and qr.balance(merchant["account"]) == 0
    history = qr.visitor(wallet).get(f"/v1/qr/wallets/{wallet['wallet_id']}/history").json()
    assert [e["kind"] for e in history["entries"]] == ["topup"]
    qr.top_up(wallet, 100_000)  # the bill is still open: topped up, the visitor pays it
    assert created(qr.pay(wallet, created(qr.quote(wallet, bill["payload"]))["quote_id"]))["status"] == "completed"


def test_a_foreign_scheme_qr_is_refused_clearly(qr: Qr) -> None:
    wallet = qr.wallet()
    page = qr.visitor(wallet)
    for payload in (PROMPTPAY, SPEC_EXAMPLE):
        body = problem(page.post("/v1/qr/decode", json={"payload": payload}), 400, 3151)
        assert "another payment scheme" in body["detail"] and body["emv_code"] == "not_inzira"
        problem(qr.quote(wallet, payload, 1_000), 400, 3151)


def test_invalid_and_tampered_qrs(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 10_000)
    page = qr.visitor(wallet)
    payload = merchant["static_qr"]["payload"]
    broken = problem(page.post("/v1/qr/decode", json={"payload": payload[:-4] + "0000"}), 400, 3150)
    assert broken["emv_code"] == "crc_mismatch" and broken["tag"] == "63"
    problem(page.post("/v1/qr/decode", json={"payload": payload[:20]}), 400, 3150)
    bill = qr.bill(merchant, 7_000, bill_number="B-1")
    forged = encode_merchant_qr(MerchantQr(merchant["merchant_id"], merchant["name"], merchant["city"], "5812",
                                           amount_minor=70, bill_number="B-1"))
    problem(page.post("/v1/qr/decode", json={"payload": forged}), 404, 3251)  # same bill, another amount: as none
    unknown = encode_merchant_qr(MerchantQr("0000000000", "Ghost", "Kigali", "5812"))
    problem(page.post("/v1/qr/decode", json={"payload": unknown}), 404, 3250)
    no_bill = encode_merchant_qr(MerchantQr(merchant["merchant_id"], "X", "Kigali", "5812", amount_minor=5,
                                            bill_number="NOPE"))
    problem(page.post("/v1/qr/decode", json={"payload": no_bill}), 404, 3251)
    usd = encode_merchant_qr(MerchantQr(merchant["merchant_id"], "X", "Kigali", "5812", currency="USD"))
    problem(page.post("/v1/qr/decode", json={"payload": usd}), 400, 3157)
    problem(qr.quote(wallet, bill["payload"], 6_999), 400, 3153)  # a dynamic QR's amount is the bill's
    problem(qr.pay(wallet, "no-such-quote"), 404, 3253)


def test_a_lenient_payload_naming_an_inzira_merchant_is_payable(qr: Qr) -> None:
    """A national QR carrying several schemes' templates, one of them Inzira's, with a name outside the EMV
    character set (only the lenient profile accepts it)."""
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 50_000)
    objects = [o for o in merchant_objects(MerchantQr(merchant["merchant_id"], "X", "Kigali", "5812"))
               if o.tag not in ("26", "59")]
    objects[2:2] = [DataObject.template("26", [DataObject("00", "A000000677010111"), DataObject("01", "0066801")]),
                    DataObject.template("27", [DataObject("00", INZIRA_GUID),
                                               DataObject("01", merchant["merchant_id"])])]
    objects.append(DataObject("59", "Café Kigali"))
    payload = encode(objects, Profile.LENIENT)
    scan = qr.visitor(wallet).post("/v1/qr/decode", json={"payload": payload}).json()
    assert scan["profile"] == "lenient" and scan["merchant"]["merchant_id"] == merchant["merchant_id"]
    assert qr.quote_and_pay(wallet, payload, 1_200)["status"] == "completed"
    assert qr.balance(merchant["account"]) == 1_200


def test_malformed_requests_on_the_payment_path(qr: Qr) -> None:
    wallet = qr.wallet()
    page = qr.visitor(wallet)
    base = f"/v1/qr/wallets/{wallet['wallet_id']}"
    missing = problem(page.post(f"{base}/quotes", json={"amount_minor": 5}), 400, 3100)
    assert missing["errors"][0]["location"] == "body.payload"
    problem(page.post(f"{base}/quotes", content=b"{not json", headers={"Content-Type": "application/json"}),
            400, 3100)
    problem(page.post(f"{base}/payments", json={"quote_id": "q", "extra": 1}), 400, 3100)
    problem(page.post("/v1/qr/wallets/NOT-AN-ID/payments", json={"quote_id": "q"}), 400, 3100)
    problem(page.post("/v1/qr/decode", params={"details": "maybe"}, json={"payload": "x"}), 400, 3100)
    problem(qr.client().post(f"{base}/payments", json={"quote_id": "q"}), 401, 3040)


def _with(objects: list[DataObject], *extra: DataObject) -> str:
    """The payload of ``objects`` with ``extra`` after the currency and amount (55-57 go there), strict."""
    at = max(i for i, o in enumerate(objects) if o.tag in ("53", "54")) + 1
    return encode([*objects[:at], *extra, *objects[at:]])


def test_a_qr_adding_a_convenience_fee_is_refused_and_a_tip_prompt_pays_the_amount(qr: Qr) -> None:
    """EMVCo's 55 = 02/03 makes the payer owe a fee on top of the amount; the transfer pays the amount only, so
    paying would leave the merchant short of what its QR asks."""
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 50_000)
    page = qr.visitor(wallet)
    counter = merchant_objects(MerchantQr(merchant["merchant_id"], "X", "Kigali", "5812"))
    bill = qr.bill(merchant, 5_000)
    billed = merchant_objects(MerchantQr(merchant["merchant_id"], "X", "Kigali", "5812", amount_minor=5_000,
                                         bill_number=bill["bill_number"]))
    fees = ((DataObject("55", "02"), DataObject("56", "500")), (DataObject("55", "03"), DataObject("57", "10")))
    for objects, amount_minor in ((counter, 1_000), (billed, None)):
        for fee in fees:
            payload = _with(objects, *fee)
            body = problem(page.post("/v1/qr/decode", json={"payload": payload}), 400, 3162)
            assert body["emv_code"] == "fee" and body["tag"] == "55"
            problem(qr.quote(wallet, payload, amount_minor), 400, 3162)
    assert qr.balance(merchant["account"]) == 0 and qr.balance(wallet["account"]) == 50_000
    assert qr.quote_and_pay(wallet, _with(counter, DataObject("55", "01")), 1_200)["status"] == "completed"
    assert qr.balance(merchant["account"]) == 1_200


def test_a_qr_naming_two_inzira_merchants_is_refused(qr: Qr) -> None:
    """Two account templates with Inzira's GUID: which merchant a wallet pays would be its own guess."""
    merchant, other, wallet = qr.merchant(), qr.merchant("Other Shop"), qr.wallet("CNY", 50_000)
    objects = merchant_objects(MerchantQr(merchant["merchant_id"], "X", "Kigali", "5812"))
    second = DataObject.template("27", [DataObject("00", INZIRA_GUID), DataObject("01", other["merchant_id"])])
    payload = encode([*objects[:3], second, *objects[3:]])
    body = problem(qr.visitor(wallet).post("/v1/qr/decode", json={"payload": payload}), 400, 3150)
    assert body["emv_code"] == "duplicate_account" and body["tag"] == "27"
    problem(qr.quote(wallet, payload, 1_000), 400, 3150)
    assert qr.balance(merchant["account"]) == 0 and qr.balance(other["account"]) == 0
