"""The EMVCo MPM specification's own example payload (Annex B) decodes to the documented fields."""

import json

import pytest

from inzira.qr.emv import Profile, decode, payload_json

# EMVCo QRCPS Merchant-Presented Mode v1.0, Annex B; also /work/shared/reference/emvco-mpm.md.
SPEC_EXAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN"
    "5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***"
    "0708A60086670902ME91320016A0112233449988770708123456786304A13A"
)


@pytest.mark.parametrize("profile", list(Profile))
def test_spec_example_fields(profile):
    payload = decode(SPEC_EXAMPLE, profile)
    assert payload.text == SPEC_EXAMPLE
    assert payload.crc == "A13A"
    assert payload.merchant_name == "BEST TRANSPORT"
    assert payload.merchant_city == "BEIJING"
    assert payload.country == "CN"
    assert payload.currency == "156"
    assert payload.amount == "23.72"
    assert payload.tip_indicator == "01"
    assert payload.mcc == "4111"
    assert payload.point_of_initiation == "dynamic"
    # 64 comes before 54 in the example: the original order is kept.
    assert [o.tag for o in payload.objects] == [
        "00", "01", "29", "31", "52", "58", "59", "60", "64", "54", "53", "55", "62", "91", "63",
    ]
    assert [(o.tag, o.guid) for o in payload.merchant_accounts] == [("29", "D15600000000"), ("31", "D15600000001")]
    assert payload.get("29").child_value("05") == "A93FO3230Q"
    language = payload.language_template
    assert (language.child_value("00"), language.child_value("01"), language.child_value("02")) == (
        "ZH",
        "最佳运输",
        "北京",
    )
    extra = payload.additional_data
    assert [(c.tag, c.value) for c in extra.children] == [
        ("03", "1234"), ("06", "***"), ("07", "A6008667"), ("09", "ME"),
    ]


def test_spec_example_json_view():
    view = payload_json(decode(SPEC_EXAMPLE))
    json.dumps(view)
    assert view["merchant_name"] == "BEST TRANSPORT"
    assert view["merchant_city"] == "BEIJING"
    assert view["country"] == "CN"
    assert (view["currency"], view["currency_code"]) == ("156", "CNY")
    assert view["amount"] == "23.72"
    assert view["point_of_initiation"] == "dynamic"
    assert view["mcc"] == "4111"
    assert view["crc"] == "A13A"
    assert view["tip_or_convenience_indicator"] == "01" and view["tip_mode"] == "prompt"
    assert view["merchant_accounts"]["29"] == {"guid": "D15600000000", "fields": {"05": "A93FO3230Q"}}
    assert view["additional_data"]["store_label"] == "1234"
    assert view["additional_data"]["customer_label"] == "***"
    assert view["additional_data"]["additional_consumer_data_request"] == "ME"
    assert view["additional_data"]["bill_number"] is None
    assert view["language_template"]["merchant_name"] == "最佳运输"
    assert view["unreserved_templates"]["91"] == {"guid": "A011223344998877", "fields": {"07": "12345678"}}
