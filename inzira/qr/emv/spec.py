"""Facts from the EMVCo MPM specification (v1.0/v1.1): names, formats and length limits of every ID.

Only data lives here; the checks that use it are in ``rules.py``.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

PAYLOAD_CHARS_MAX = 512  # the specification's limit, enforced by the strict profile
PAYLOAD_CHARS_MAX_LENIENT = 4096  # a sanity bound for real-world payloads (Singapore's SGQR specimen is 1069)
VALUE_CHARS_MAX = 99  # two length digits
GUID_CHARS_MAX = 32
CRC_TAG = "63"
CRC_HEADER = "6304"  # ID and length of the CRC object: part of what the CRC covers

# "N" is ASCII digits only: str.isdigit() would also accept Arabic-Indic or full-width digits.
DIGITS_RE = re.compile(r"[0-9]+")
ANS_RE = re.compile(r"[\x20-\x7e]+")  # the EMV common character set: printable ASCII
TWO_DIGITS_RE = re.compile(r"[0-9]{2}")
HEX4_RE = re.compile(r"[0-9A-Fa-f]{4}")
COUNTRY_RE = re.compile(r"[A-Z]{2}")


class Format(enum.Enum):
    N = "N"
    ANS = "ans"
    S = "S"


@dataclass(frozen=True, slots=True)
class Rule:
    name: str  # snake_case field name, also the key in the JSON view
    format: Format
    max_chars: int
    exact: bool = False  # the value must be exactly max_chars long


def _r(name: str, fmt: Format, max_chars: int, exact: bool = False) -> Rule:
    return Rule(name, fmt, max_chars, exact)


ROOT_RULES: dict[str, Rule] = {
    "00": _r("payload_format_indicator", Format.N, 2, exact=True),
    "01": _r("point_of_initiation_method", Format.N, 2, exact=True),
    "52": _r("merchant_category_code", Format.N, 4, exact=True),
    "53": _r("transaction_currency", Format.N, 3, exact=True),
    "54": _r("transaction_amount", Format.ANS, 13),
    "55": _r("tip_or_convenience_indicator", Format.N, 2, exact=True),
    "56": _r("convenience_fee_fixed", Format.ANS, 13),
    "57": _r("convenience_fee_percentage", Format.ANS, 5),
    "58": _r("country_code", Format.ANS, 2, exact=True),
    "59": _r("merchant_name", Format.ANS, 25),
    "60": _r("merchant_city", Format.ANS, 15),
    "61": _r("postal_code", Format.ANS, 10),
    "62": _r("additional_data", Format.S, VALUE_CHARS_MAX),
    "63": _r("crc", Format.ANS, 4, exact=True),
    "64": _r("language_template", Format.S, VALUE_CHARS_MAX),
}
for _tag in range(2, 52):
    ROOT_RULES[f"{_tag:02d}"] = _r("merchant_account_information", Format.ANS, VALUE_CHARS_MAX)
for _tag in range(80, 100):
    ROOT_RULES[f"{_tag:02d}"] = _r("unreserved_template", Format.S, VALUE_CHARS_MAX)

# Tag 62, Additional Data Field Template. 10-49 are reserved (v1.1 assigns some): kept as they are.
ADDITIONAL_DATA_RULES: dict[str, Rule] = {
    "01": _r("bill_number", Format.ANS, 25),
    "02": _r("mobile_number", Format.ANS, 25),
    "03": _r("store_label", Format.ANS, 25),
    "04": _r("loyalty_number", Format.ANS, 25),
    "05": _r("reference_label", Format.ANS, 25),
    "06": _r("customer_label", Format.ANS, 25),
    "07": _r("terminal_label", Format.ANS, 25),
    "08": _r("purpose_of_transaction", Format.ANS, 25),
    "09": _r("additional_consumer_data_request", Format.ANS, 3),
}
CONSUMER_DATA_LETTERS = frozenset("AME")  # address, mobile number, email

# Tag 64, Merchant Information - Language Template. 03-99 are reserved: kept as they are.
LANGUAGE_RULES: dict[str, Rule] = {
    "00": _r("language_preference", Format.ANS, 2, exact=True),
    "01": _r("merchant_name", Format.S, 25),
    "02": _r("merchant_city", Format.S, 15),
}
LANGUAGE_MANDATORY = ("00", "01")

ROOT_MANDATORY = ("52", "53", "58", "59", "60")

POINT_OF_INITIATION = {"11": "static", "12": "dynamic"}
TIP_INDICATORS = {"01": "prompt", "02": "fixed_fee", "03": "percentage_fee"}


def is_primitive_account(tag: str) -> bool:
    """02-25: merchant account information reserved to card networks, a plain value."""
    return 2 <= int(tag) <= 25


def is_account_template(tag: str) -> bool:
    """26-51: merchant account information templates with a GUID in sub-ID 00."""
    return 26 <= int(tag) <= 51


def is_merchant_account(tag: str) -> bool:
    return 2 <= int(tag) <= 51


def is_reserved_root(tag: str) -> bool:
    """65-79: reserved for EMVCo; carried through untouched so future versions still decode."""
    return 65 <= int(tag) <= 79


def is_unreserved_template(tag: str) -> bool:
    return 80 <= int(tag) <= 99


def is_root_template(tag: str) -> bool:
    """Root IDs whose value is itself a list of data objects."""
    number = int(tag)
    return 26 <= number <= 51 or number in (62, 64) or number >= 80


def is_additional_template(sub_tag: str) -> bool:
    """62.50-99: payment-system-specific templates with a GUID in sub-ID 00."""
    return int(sub_tag) >= 50


def has_guid(tag: str) -> bool:
    """Templates whose sub-ID 00 is a globally unique identifier."""
    return is_account_template(tag) or is_unreserved_template(tag)
