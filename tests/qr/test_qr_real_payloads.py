"""Real payloads of national QR schemes, as published, each with the CRC it was published with.

Each entry: where it was published, the payload, what the strict profile says (None: it passes), and a few
fields to check. Every one must pass the lenient profile: that is what the lenient profile is for.
"""

import pytest

from inzira.qr.emv import EmvError, Profile, crc_hex, decode, payload_json

REAL_PAYLOADS = [
    pytest.param(
        # Banco Central do Brasil, "Manual de Padroes para Iniciacao do Pix", static QR example (section 2);
        # quoted in many Pix libraries' tests, e.g. the BR Code tests of a Go "brdocs" validator.
        "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
        "5913Fulano de Tal6008BRASILIA62070503***63041D3D",
        None,
        {"country": "BR", "currency": "986", "merchant_name": "Fulano de Tal", "amount": None},
        id="brazil-pix-static-bcb-manual",
    ),
    pytest.param(
        # Same manual, dynamic QR example (payload location URL in 26.25).
        "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
        "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4",
        None,
        {"point_of_initiation": "dynamic", "merchant_city": "BRASILIA"},
        id="brazil-pix-dynamic-bcb-manual",
    ),
    pytest.param(
        # Same manual (v2.10), composite QR with an amount and an unreserved template 80 (Pix Automatico).
        "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865406100.50"
        "5802BR5913Fulano de Tal6008BRASILIA62070503***80740014br.gov.bcb.pix2552pix.example.com/rec/"
        "2353c790eefb11eaadc10242ac12000263042875",
        None,
        {"amount": "100.50"},
        id="brazil-pix-composite-bcb-manual",
    ),
    pytest.param(
        # BCB "Manual BR Code" multi-arrangement example, as in the README of naomijub/brcode (Rust crate).
        "00020104141234567890123426580014BR.GOV.BCB.PIX0136123e4567-e12b-12d1-a456-42665544000027300012"
        "BR.COM.OUTRO011001234567895204000053039865406123.455802BR5917NOME DO RECEBEDOR6008BRASILIA6108"
        "7007490062190515RP12345678-201980390012BR.COM.OUTRO01190123.ABCD.3456.WXYZ6304AD38",
        None,
        {"amount": "123.45", "postal_code": "70074900"},
        id="brazil-brcode-manual-multi-arrangement",
    ),
    pytest.param(
        # Thailand PromptPay, mobile number, from the tests of dtinth/promptpay-qr (index.test.js).
        "00020101021129370016A000000677010111011300668012345675802TH530376463046197",
        ("missing_mandatory", "52"),
        {"country": "TH", "currency": "764", "merchant_name": None},
        id="thailand-promptpay-phone",
    ),
    pytest.param(
        # Same tests: national ID number.
        "00020101021129370016A000000677010111021311111111111115802TH530376463047B5A",
        ("missing_mandatory", "52"),
        {"point_of_initiation": "static"},
        id="thailand-promptpay-national-id",
    ),
    pytest.param(
        # Same tests: with an amount (dynamic).
        "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469",
        ("missing_mandatory", "52"),
        {"amount": "4.22", "point_of_initiation": "dynamic"},
        id="thailand-promptpay-amount",
    ),
    pytest.param(
        # Vietnam VietQR, NAPAS IBFT specification v1.5.2 static account example (quoted by a VietQR
        # library's "NAPAS compliance" tests).
        "00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5",
        ("missing_mandatory", "52"),
        {"country": "VN", "currency": "704"},
        id="vietnam-napas-static",
    ),
    pytest.param(
        # Same specification, dynamic account example with bill number and purpose.
        "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN"
        "62340107NPS68690819thanh toan don hang63042E2E",
        ("missing_mandatory", "52"),
        {"amount": "180000"},
        id="vietnam-napas-dynamic",
    ),
    pytest.param(
        # Vietnam VietQR from the README of subiz/vietqr (Go).
        "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN"
        "62170813ung ho lu lut6304C15C",
        ("missing_mandatory", "52"),
        {"amount": "120000"},
        id="vietnam-vietqr-subiz",
    ),
    pytest.param(
        # Singapore SGQR specimen with a dozen schemes (PayNow, NETS, GrabPay, WeChat...), from the tests of
        # @rationally-app/payment-qr-parser. 1069 characters: over the specification's 512.
        "00020101021102164761360000000*1704155123456789123451110123456789012153123456789012341531250003"
        "440001034450003445311000126330015SG.COM.DASH.WWW0110000005550127670014A00000076200010120COM.LQD"
        "PALLIANCE.WWW021512345678901234503020028660011SG.COM.OCBC0147OCBCP2P629A358D-ECE7-4554-AD56-EBD1"
        "2D84CA7E4F7329500006SG.EZI013603600006-76bb-4a5a-aa1a-fbcb64d6ecf530850013SG.COM.EZLINK01201234"
        "567890123456-1230204SGQR0324A123456,B123456,C12345670404A23X31260008COM.GRAB0110A93FO3230Q32390"
        "007COM.DBS011012345678900210123456789033900011SG.COM.NETS01230201401832831128823590002150001118"
        "703240000308885872010901199084E5DC3D834430017COM.QQ.WEIXIN.PAY011012345678900204123435660010SG."
        "COM.UOB014845D233507F5E8C306E3871A4E9FACA601A80C114B5645E5D36840009SG.PAYNOW010120216+62123456"
        "7890123030100408209912310525123456789012345678901234537270009SG.AIRPAY0110A11BC0000X51860007SG."
        "SGQR0112180307510317020701.0003030608100604020205031380609Counter010708201804075204581453037025"
        "802SG5916FOOD XYZ PTE LTD6009SINGAPORE6106081006626001081234567R0607876543050330015SG.COM.DASH."
        "WWW0110000005550263045E8D",
        ("too_long", None),
        {"merchant_name": "FOOD XYZ PTE LTD", "postal_code": "081006", "currency": "702"},
        id="singapore-sgqr-specimen",
    ),
    pytest.param(
        # Cambodia KHQR (Bakong), individual account with language template and timestamp template 99,
        # from the README of ishinvin/ts-khqr (a re-implementation of NBC's bakong-khqr package).
        "00020101021229420013ishinvin@devb01090123456780208Dev Bank5204599953031165405100005802KH5909"
        "Ishin Vin6010Phnom Penh62680114INV-2022-12-250211855123456780310Ishin Shop07060123450807Payment"
        "64180002ZH0102文山0202金边9917001316935559673876304AE27",
        None,
        {"currency": "116", "amount": "10000", "merchant_city": "Phnom Penh"},
        id="cambodia-khqr",
    ),
    pytest.param(
        # Malaysia DuitNow: the public donation QR of Masjid Negara, Kuala Lumpur, as listed in the
        # sedekah.je open directory of mosque QR codes. Payload format indicator "02", not the spec's "01".
        "00020201021126420014A000000615000101066033460210MD001295465204939953034585802MY5913MASJID NEGARA"
        "6002MY627303251704936237869008996045430052017072988178750084448071617049359619050076304FD9C",
        ("bad_value", "00"),
        {"country": "MY", "currency": "458", "merchant_name": "MASJID NEGARA"},
        id="malaysia-duitnow-masjid-negara",
    ),
    pytest.param(
        # Indonesia QRIS (ShopeePay merchant), from the README of sunary/qris (Go).
        "00020101021226380016ID.CO.SHOPEE.WWW010201020815863724530336054061440005802ID5921PT. SHOPPEE "
        "INDONESIA6007JAKARTA62180814gen by go-qris63049635",
        ("missing_mandatory", "52"),
        {"currency": "360", "amount": "144000", "merchant_city": "JAKARTA"},
        id="indonesia-qris",
    ),
]


@pytest.mark.parametrize(("text", "strict_error", "fields"), REAL_PAYLOADS)
def test_published_crc_is_valid(text, strict_error, fields):
    assert crc_hex(text[:-4]) == text[-4:]


@pytest.mark.parametrize(("text", "strict_error", "fields"), REAL_PAYLOADS)
def test_lenient_accepts_every_real_payload(text, strict_error, fields):
    payload = decode(text, Profile.LENIENT)
    assert payload.text == text
    view = payload_json(payload)
    for name, expected in fields.items():
        assert view[name] == expected, name


@pytest.mark.parametrize(("text", "strict_error", "fields"), REAL_PAYLOADS)
def test_strict_verdict(text, strict_error, fields):
    if strict_error is None:
        assert decode(text, Profile.STRICT).text == text
        return
    with pytest.raises(EmvError) as info:
        decode(text, Profile.STRICT)
    assert (info.value.code, info.value.tag) == strict_error


def test_sgqr_nested_templates_are_decoded():
    text = REAL_PAYLOADS[10].values[0]
    payload = decode(text, Profile.LENIENT)
    view = payload_json(payload)
    assert view["merchant_accounts"]["02"] == "4761360000000*17"
    assert view["merchant_accounts"]["36"]["guid"] == "SG.PAYNOW"
    assert view["merchant_accounts"]["51"]["guid"] == "SG.SGQR"
    assert view["additional_data"]["bill_number"] == "1234567R"
    assert view["additional_data"]["templates"]["50"] == {
        "guid": "SG.COM.DASH.WWW",
        "fields": {"01": "0000055502"},
    }
