"""The two primitives under the codec: CRC-16/CCITT-FALSE and the character-counted TLV layer."""

import pytest

from inzira.qr.emv import EmvError, crc16_ccitt_false, crc_hex
from inzira.qr.emv.tlv import join, split


def test_crc_check_value():
    # The catalogued check value of CRC-16/CCITT-FALSE.
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    assert crc16_ccitt_false(b"") == 0xFFFF


def test_crc_hex_is_uppercase_and_zero_padded():
    assert crc_hex("123456789") == "29B1"
    # The spec's own wording: "6304007B" shows a CRC that starts with zeros keeps them.
    padded = [crc_hex(str(n)) for n in range(2000)]
    assert all(len(c) == 4 and c == c.upper() for c in padded)
    assert any(c.startswith("00") for c in padded)


def test_crc_covers_utf8_bytes():
    assert crc_hex("北京") == f"{crc16_ccitt_false('北京'.encode()):04X}"
    assert crc_hex("北京") != crc_hex("北京".encode().decode("latin-1"))


def test_lengths_count_characters_not_bytes():
    assert join([("01", "最佳运输")]) == "0104最佳运输"
    assert split("0104最佳运输0202北京") == (("01", "最佳运输"), ("02", "北京"))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("01", "tlv_truncated"),
        ("0105abc", "tlv_truncated"),
        ("A102ab", "tlv_bad_id"),
        ("01x2ab", "tlv_bad_length"),
        ("0100", "tlv_bad_length"),
        ("٠١02ab", "tlv_bad_id"),  # Arabic-Indic digits are not the two ASCII digits of an ID
    ],
)
def test_split_refuses_broken_tlv(text, code):
    with pytest.raises(EmvError) as info:
        split(text)
    assert info.value.code == code


def test_nested_errors_carry_the_template_path():
    with pytest.raises(EmvError) as info:
        split("0105abc", "62")
    assert (info.value.code, info.value.tag) == ("nested_tlv", "62.01")


def test_join_refuses_what_split_cannot_read():
    with pytest.raises(EmvError, match="length 00"):
        join([("01", "")])
    with pytest.raises(EmvError) as info:
        join([("59", "x" * 100)])
    assert (info.value.code, info.value.tag) == ("too_long", "59")
    with pytest.raises(EmvError):
        join([("5", "x")])
