"""Merchant onboarding and their QR codes: the account on chain, strict-valid payloads, images that read back."""

from __future__ import annotations

from inzira.qr.api.answers import BillOut, MerchantCreated, MerchantOut
from inzira.qr.emv import INZIRA_GUID, Profile, decode, merchant_qr_from_payload
from inzira.qr.images import read_payloads
from tests.qr_pay.helpers import Qr, ok, problem


def test_onboarding_opens_the_merchant_account_and_makes_a_static_qr(qr: Qr) -> None:
    merchant = qr.merchant("Nyamirambo Crafts", mcc="5947", postal_code="00100",
                           alternate={"language": "rw", "name": "Ubukorikori Nyamirambo", "city": "Kigali"})
    MerchantCreated.model_validate(merchant)
    assert merchant["account"] == f"ubumwe:m-{merchant['merchant_id']}"
    assert merchant["mcc_name"] == "Gift, card, novelty and souvenir shops"
    account = qr.node.account(merchant["account"])
    assert account is not None and account.currency == "RWF" and account.balance_minor == 0
    payload = decode(merchant["static_qr"]["payload"], Profile.STRICT)  # strict: every rule of the spec
    assert payload.point_of_initiation == "static" and payload.amount is None
    template = payload.get("26")
    assert template is not None and template.guid == INZIRA_GUID
    assert template.child_value("01") == merchant["merchant_id"]
    assert (payload.mcc, payload.currency, payload.country) == ("5947", "646", "RW")
    assert payload.language_template is not None
    fetched = ok(qr.pos(merchant).get(f"/v1/qr/merchants/{merchant['merchant_id']}"))
    MerchantOut.model_validate(fetched)
    assert fetched["balance_minor"] == 0 and "merchant_token" not in fetched


def test_static_and_dynamic_qr_images_read_back(qr: Qr) -> None:
    merchant = qr.merchant()
    pos = qr.pos(merchant)
    base = f"/v1/qr/merchants/{merchant['merchant_id']}"
    png = pos.get(f"{base}/qr.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert read_payloads(png.content) == [merchant["static_qr"]["payload"]]
    svg = pos.get(f"{base}/qr.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    bill = qr.bill(merchant, 15_000, bill_number="INV-77", terminal_label="TILL-2")
    BillOut.model_validate(bill)
    ticket = qr.ticket(merchant["merchant_token"])  # as a page's <img> would: no header, a ticket
    image = qr.client().get(f"{base}/bills/{bill['bill_id']}/qr.png", params={"ticket": ticket})
    assert image.status_code == 200
    [read] = read_payloads(image.content)
    assert read == bill["payload"]
    described = merchant_qr_from_payload(decode(read, Profile.STRICT))
    assert (described.amount_minor, described.bill_number, described.terminal_label) == (15_000, "INV-77", "TILL-2")
    assert decode(read).point_of_initiation == "dynamic"


def test_bill_status_and_expiry_are_kept_by_the_service(qr: Qr) -> None:
    merchant = qr.merchant()
    bill = qr.bill(merchant, 2_500, expires_in_ms=60_000)
    assert bill["status"] == "open" and bill["expires_at_ms"] - bill["created_at_ms"] == 60_000
    status = ok(qr.pos(merchant).get(f"/v1/qr/merchants/{merchant['merchant_id']}/bills/{bill['bill_id']}"))
    assert status["status"] == "open" and status["payment"] is None
    again = qr.ubumwe.post(f"/v1/qr/merchants/{merchant['merchant_id']}/bills",
                           json={"amount_minor": 100, "bill_number": bill["bill_number"]})
    problem(again, 400, 3100)


def test_who_may_see_and_do_what(qr: Qr) -> None:
    merchant, other = qr.merchant(), qr.merchant("Other Shop")
    path = f"/v1/qr/merchants/{merchant['merchant_id']}"
    problem(qr.pos(other).get(path), 404, 3250)  # another merchant's token
    problem(qr.silkpay.get(path), 404, 3250)  # a member that is not its acquirer
    problem(qr.client().get(path), 401, 3040)
    problem(qr.client("qrm_nope.secret").get(path), 401, 3040)
    problem(qr.pos(merchant).post("/v1/qr/merchants", json={"name": "X", "city": "Kigali", "mcc": "5812",
                                                            "location": "x"}), 403, 4300)
    problem(qr.silkpay.post("/v1/qr/merchants", json={"name": "X", "city": "Kigali", "mcc": "5812",
                                                      "location": "x"}), 403, 4300)


def test_onboarding_refuses_what_a_qr_cannot_carry(qr: Qr) -> None:
    base = {"name": "Shop", "city": "Kigali", "mcc": "5812", "location": "x"}
    problem(qr.ubumwe.post("/v1/qr/merchants", json={**base, "mcc": "0000"}), 400, 3100)
    problem(qr.ubumwe.post("/v1/qr/merchants", json={**base, "name": "Café Résumé"}), 400, 3100)
    problem(qr.ubumwe.post("/v1/qr/merchants", json={**base, "city": "K" * 16}), 400, 3100)
