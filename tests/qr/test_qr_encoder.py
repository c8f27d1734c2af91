"""Inzira's own QR payloads: static for the counter, dynamic per bill; strict-valid and reversible."""

import pytest

from inzira.qr.emv import (
    INZIRA_GUID,
    AlternateLanguage,
    DataObject,
    EmvError,
    MerchantQr,
    Profile,
    decode,
    encode,
    encode_merchant_qr,
    merchant_qr_from_payload,
    payload_json,
)

STATIC = MerchantQr(merchant_id="M-000123", name="Question Coffee", city="Kigali", mcc="5814")
DYNAMIC = MerchantQr(
    merchant_id="M-000123",
    name="Question Coffee",
    city="Kigali",
    mcc="5814",
    amount_minor=15000,
    bill_number="INV-2024-0042",
    terminal_label="POS-1",
    alternate=AlternateLanguage("zh", "问题咖啡", "基加利"),
)


def test_static_qr():
    text = encode_merchant_qr(STATIC)
    payload = decode(text)
    assert payload.point_of_initiation == "static"
    assert payload.amount is None
    assert (payload.currency, payload.country) == ("646", "RW")
    account = payload.get("26")
    assert (account.guid, account.child_value("01")) == (INZIRA_GUID, "M-000123")
    assert text.startswith("000201010211")
    assert text[-8:-4] == "6304" and text[-4:] == text[-4:].upper()


def test_dynamic_qr():
    payload = decode(encode_merchant_qr(DYNAMIC))
    view = payload_json(payload)
    assert view["point_of_initiation"] == "dynamic"
    assert (view["amount"], view["currency_code"]) == ("15000", "RWF")
    assert view["additional_data"]["bill_number"] == "INV-2024-0042"
    assert view["additional_data"]["terminal_label"] == "POS-1"
    assert view["language_template"]["merchant_name"] == "问题咖啡"


@pytest.mark.parametrize("qr", [STATIC, DYNAMIC])
def test_round_trip(qr):
    assert merchant_qr_from_payload(decode(encode_merchant_qr(qr))) == qr


@pytest.mark.parametrize(
    ("currency", "amount_minor", "written"),
    [("RWF", 15000, "15000"), ("EUR", 1, "0.01"), ("USD", 123456, "1234.56"), ("KWD", 1500, "1.500")],
)
def test_amounts_use_the_currency_exponent(currency, amount_minor, written):
    qr = MerchantQr("M1", "Shop", "Kigali", "5411", currency=currency, amount_minor=amount_minor)
    payload = decode(encode_merchant_qr(qr))
    assert payload.amount == written
    assert merchant_qr_from_payload(payload).amount_minor == amount_minor


def test_decoder_reads_amounts_written_with_a_trailing_zero_decimal():
    # Another wallet's encoder writing "15000.0" for RWF (no minor unit) is still 15000 RWF.
    objects = [o if o.tag != "54" else DataObject("54", "15000.0") for o in decode(encode_merchant_qr(DYNAMIC)).objects]
    assert merchant_qr_from_payload(decode(encode(objects))).amount_minor == 15000


@pytest.mark.parametrize(
    ("qr", "code", "tag"),
    [
        (MerchantQr("M1", "N" * 26, "Kigali", "5411"), "too_long", "59"),
        (MerchantQr("M1", "Café du Centre", "Kigali", "5411"), "bad_format", "59"),
        (MerchantQr("M1", "Shop", "Kigali", "541"), "bad_format", "52"),
        (MerchantQr("M1", "Shop", "Kigali", "5411", amount_minor=0), "bad_amount", "54"),
        (MerchantQr("M1", "Shop", "Kigali", "5411", currency="XYZ"), "bad_value", "53"),
        (MerchantQr("M1", "Shop", "Kigali", "5411", bill_number=""), "tlv_bad_length", "62.01"),
        (
            MerchantQr("M1", "Shop", "Kigali", "5411", alternate=AlternateLanguage("zh", "店" * 26)),
            "too_long",
            "64.01",
        ),
        (MerchantQr("M" * 90, "Shop", "Kigali", "5411"), "too_long", "26"),
    ],
)
def test_encoder_refuses_what_the_spec_refuses(qr, code, tag):
    with pytest.raises(EmvError) as info:
        encode_merchant_qr(qr)
    assert (info.value.code, info.value.tag) == (code, tag)


def test_generic_encode_keeps_order_and_checks_the_profile():
    objects = [
        DataObject("00", "01"),
        DataObject("29", "0005hello"),
        DataObject("58", "TH"),
        DataObject("53", "764"),
    ]
    text = encode(objects, Profile.LENIENT)
    assert [o.tag for o in decode(text, Profile.LENIENT).objects] == ["00", "29", "58", "53", "63"]
    with pytest.raises(EmvError) as info:
        encode(objects)
    assert info.value.code in ("guid_missing", "missing_mandatory")


def test_not_an_inzira_payload():
    pix = (
        "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
        "5913Fulano de Tal6008BRASILIA62070503***63041D3D"
    )
    with pytest.raises(EmvError) as info:
        merchant_qr_from_payload(decode(pix))
    assert (info.value.code, info.value.tag) == ("not_inzira", "26")
