"""The invalid space, in both profiles: every refusal is an EmvError with a stable code and tag path."""

import pytest

from inzira.qr.emv import EmvError, Profile, crc_hex, decode

BASE = [
    ("00", "01"),
    ("01", "11"),
    ("26", "0009rw.inzira0104M123"),
    ("52", "5812"),
    ("53", "646"),
    ("58", "RW"),
    ("59", "Repub Lounge"),
    ("60", "Kigali"),
    ("62", "0105INV-1"),
]


def body(pairs):
    return "".join(f"{tag}{len(value):02d}{value}" for tag, value in pairs)


def with_crc(text):
    return text + "6304" + crc_hex(text + "6304")


def changed(**values):
    """BASE with some tags (written t52=...) replaced, added (before 63) or dropped (None)."""
    pairs = [(t, values.pop(f"t{t}", v)) for t, v in BASE]
    pairs += [(k[1:], v) for k, v in values.items()]
    return with_crc(body([(t, v) for t, v in pairs if v is not None]))


VALID = with_crc(body(BASE))


def verdict(text, profile):
    try:
        decode(text, profile)
    except EmvError as exc:
        return (exc.code, exc.tag)
    return None


def both(code, tag):
    return ((code, tag), (code, tag))


def strict_only(code, tag):
    return ((code, tag), None)


OK = (None, None)


def _flip_last(text):
    return text[:-1] + ("1" if text[-1] == "0" else "0")


CASES = {
    "valid": (VALID, OK),
    "lowercase crc accepted": (VALID[:-4] + VALID[-4:].lower(), OK),
    "bad crc": (_flip_last(VALID), both("crc_mismatch", "63")),
    "crc of the wrong span": (body(BASE) + "6304" + crc_hex(body(BASE)), both("crc_mismatch", "63")),
    "crc not hex": (body(BASE) + "6304ZZZZ", both("bad_format", "63")),
    "missing crc": (body(BASE), both("crc_missing", "63")),
    "crc not last": (VALID + "6105KG001", both("order", "63")),
    "00 not first": (with_crc(body([BASE[1], BASE[0], *BASE[2:]])), both("order", "01")),
    "00 missing": (with_crc(body(BASE[1:])), both("order", "01")),
    "00 other version": (changed(t00="02"), strict_only("bad_value", "00")),
    "duplicate 58": (with_crc(body([*BASE, ("58", "RW")])), both("duplicate_id", "58")),
    "duplicate in 62": (changed(t62="0105INV-10105INV-2"), both("duplicate_id", "62.01")),
    "duplicate GUID in 26": (changed(t26="0009rw.inzira0009rw.inzira"), both("duplicate_id", "26.00")),
    "duplicate in 62.50": (
        changed(t62=body([("50", body([("00", "abc"), ("01", "x123"), ("01", "x123")]))])),
        both("duplicate_id", "62.50.01"),
    ),
    "length past the end": (
        with_crc(body(BASE[:6]) + "5999Repub Lounge" + body(BASE[7:])),
        both("tlv_truncated", "59"),
    ),
    "non-numeric id": (with_crc(body(BASE).replace("5802RW", "5X02RW")), both("tlv_bad_id", None)),
    "non-numeric length": (with_crc(body(BASE).replace("5802RW", "58X2RW")), both("tlv_bad_length", "58")),
    "length 00": (with_crc(body(BASE).replace("5802RW", "5800")), both("tlv_bad_length", "58")),
    "nested leaves a remainder": (changed(t62="0104INV-1"), both("nested_tlv", "62")),
    "nested runs past its template": (changed(t62="0106INV-1"), both("nested_tlv", "62.01")),
    "nested bad length in 26": (changed(t26="0009rw.inzira01x4M123"), both("nested_tlv", "26.01")),
    "nested length 00 in 64": (changed(t64="0002rw0100"), both("nested_tlv", "64.01")),
    "guid over 32": (changed(t26="0033" + "a" * 33 + "0104M123"), strict_only("too_long", "26.00")),
    "guid missing in 26": (changed(t26="0104M123"), strict_only("guid_missing", "26")),
    "guid missing in 80": (changed(t80="0104M123"), strict_only("guid_missing", "80")),
    "guid missing in 62.50": (changed(t62="50080104M123"), strict_only("guid_missing", "62.50")),
    "accent in name": (changed(t59="Café Kigali"), strict_only("bad_format", "59")),
    "name over 25": (changed(t59="N" * 26), strict_only("too_long", "59")),
    "city over 15": (changed(t60="C" * 16), strict_only("too_long", "60")),
    "mcc written 00": (changed(t52="00"), strict_only("bad_format", "52")),
    "mcc in Arabic-Indic digits": (changed(t52="٥٨١٢"), strict_only("bad_format", "52")),
    "currency as letters": (changed(t53="RWF"), strict_only("bad_format", "53")),
    "country lowercase": (changed(t58="rw"), strict_only("bad_format", "58")),
    "country too long": (changed(t58="RWA"), strict_only("too_long", "58")),
    "initiation 13": (changed(t01="13"), strict_only("bad_value", "01")),
    "name missing": (changed(t59=None), strict_only("missing_mandatory", "59")),
    "mcc missing": (changed(t52=None), strict_only("missing_mandatory", "52")),
    "no merchant account": (changed(t26=None), strict_only("missing_mandatory", "02-51")),
    "62.09 repeats a letter": (changed(t62="0903MMA"), strict_only("bad_value", "62.09")),
    "62.09 unknown letter": (changed(t62="0901X"), strict_only("bad_value", "62.09")),
    "62.01 over 25": (changed(t62="0126" + "B" * 26), strict_only("too_long", "62.01")),
    "64 without name": (changed(t64="0002rw0206Kigali"), strict_only("missing_mandatory", "64.01")),
    "64 language of 3": (changed(t64="0003kin0105Izina"), strict_only("too_long", "64.00")),
    "reserved ids kept": (changed(t62="0105INV-11003abc", t65="anything at all"), OK),
    "tip 02 without 56": (changed(t55="02"), both("tip_rule", "56")),
    "tip 03 without 57": (changed(t55="03"), both("tip_rule", "57")),
    "56 without 55": (changed(t56="500"), both("tip_rule", "56")),
    "57 without 55": (changed(t57="5"), both("tip_rule", "57")),
    "tip 01 with 56": (changed(t55="01", t56="500"), both("tip_rule", "56")),
    "tip 03 with 56 and 57": (changed(t55="03", t56="500", t57="5"), both("tip_rule", "56")),
    "tip indicator 04": (changed(t55="04"), both("tip_rule", "55")),
    "fixed fee zero": (changed(t55="02", t56="0"), both("bad_amount", "56")),
    "percentage 100": (changed(t55="03", t57="100"), both("bad_amount", "57")),
    "percentage 3 decimals": (changed(t55="03", t57="3.125"), both("bad_amount", "57")),
    "percentage zero": (changed(t55="03", t57="00.00"), both("bad_amount", "57")),
    "tip prompt": (changed(t55="01"), OK),
    "fixed fee": (changed(t55="02", t56="500"), OK),
    "percentage fee": (changed(t55="03", t57="3.5"), OK),
    "percentage bounds": (changed(t55="03", t57="99.99"), OK),
    "empty": ("", both("empty", None)),
    "lone surrogate": (VALID[:20] + "\ud800" + VALID[21:], both("bad_text", None)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_case(name):
    text, (strict, lenient) = CASES[name]
    assert verdict(text, Profile.STRICT) == strict
    assert verdict(text, Profile.LENIENT) == lenient


@pytest.mark.parametrize("amount", ["0", "0.00", "000", "1,5", "-1", " 5", "5 ", "+5", "1.2.3", "1e3", ".", "٥", "5$"])
def test_bad_amounts_in_both_profiles(amount):
    text = changed(t54=amount)
    for profile in Profile:
        assert verdict(text, profile) == ("bad_amount", "54"), profile


def test_amount_over_13_characters():
    assert verdict(changed(t54="12345678901234"), Profile.LENIENT) == ("too_long", "54")
    assert verdict(changed(t54="12345678901234"), Profile.STRICT) == ("too_long", "54")


@pytest.mark.parametrize("amount", ["98.73", "98", "98.", ".5", "0.01", "15000.0", "1234567890123"])
def test_good_amounts(amount):
    for profile in Profile:
        assert decode(changed(t54=amount), profile).amount == amount


def test_crc_that_lost_its_leading_zero():
    text = next(t for t in (changed(t62=body([("01", f"INV-{n}")])) for n in range(1000)) if t[-4] == "0")
    stripped = text[-4:].lstrip("0")
    assert len(stripped) < 4
    for profile in Profile:
        assert decode(text, profile).crc == text[-4:]
        # Written with length 04 but fewer digits: the TLV runs past the end.
        assert verdict(text[:-4] + stripped, profile) == ("tlv_truncated", "63")
        # Written with the shorter length: a CRC of the wrong size.
        short = text[:-8] + f"63{len(stripped):02d}" + stripped
        assert verdict(short, profile) == ("bad_format", "63")


def test_every_truncation_is_a_coded_error():
    texts = [VALID, changed(t64="0002zh0104千丘酒店0203基加利", t54="15000")]
    for text in texts:
        for cut in range(len(text)):
            for profile in Profile:
                with pytest.raises(EmvError):
                    decode(text[:cut], profile)


def test_payload_length_limits():
    filler = [(f"{tag}", "0009rw.inzira0180" + "x" * 80) for tag in range(80, 85)]
    long_text = with_crc(body(BASE + filler))
    assert 512 < len(long_text) <= 4096
    assert verdict(long_text, Profile.STRICT) == ("too_long", None)
    assert verdict(long_text, Profile.LENIENT) is None
    assert verdict(VALID + "x" * 4096, Profile.LENIENT) == ("too_long", None)


def test_errors_name_the_tag_and_the_rule():
    with pytest.raises(EmvError) as info:
        decode(changed(t62="0126" + "B" * 26))
    error = info.value
    assert error.as_json() == {"error": {"code": "too_long", "tag": "62.01", "message": error.message}}
    assert "62.01" in error.message and "bill_number" in error.message and "25" in error.message
