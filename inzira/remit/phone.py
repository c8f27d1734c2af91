"""The party lookup's personal-data primitives: phone numbers, their directory hash, masked names.

A receiver is addressed by phone number. Numbers are parsed with `phonenumbers` (Google's libphonenumber
metadata) into E.164, "+250788123456", the one spelling every member stores and the directory operator
hashes. On chain the directory never holds a number, only `directory_hash(number, key)`; and the receiving
FSP answers the name check with `mask_name`, enough for the sender to recognise the receiver and no more.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import unicodedata
from enum import StrEnum
from typing import NewType

import phonenumbers

E164 = NewType("E164", str)

RWANDA_REGION = "RW"
PHONE_TEXT_CHARS_MAX = 64
DIRECTORY_KEY_BYTES_MIN = 32
DIRECTORY_HASH_BYTES = 32
MASKED_NAME_CHARS_MAX = 300
# Payout numbers kept parsed: a remittance parses its receiver's number 3 times (the look-up, the directory
# operator's, the quote's), ~0.1 ms of libphonenumber's regexes each.
PAYOUT_NUMBERS_KEPT = 4096

_E164_RE = re.compile(r"\+[1-9][0-9]{6,14}")
# Payout goes to a mobile-money wallet, so the number must be one that can hold one.
_MOBILE_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


class PhoneProblem(StrEnum):
    NOT_A_NUMBER = "not_a_number"  # garbage, or longer than PHONE_TEXT_CHARS_MAX
    IMPOSSIBLE = "impossible"  # wrong length for its country
    INVALID = "invalid"  # right length, but in no range the country assigns (or with an extension)
    NOT_RWANDAN = "not_rwandan"
    NOT_MOBILE = "not_mobile"


class PhoneNumberError(ValueError):
    """A phone number that Inzira cannot use, and why (`problem`)."""

    def __init__(self, problem: PhoneProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


def parse_phone(text: str, *, default_region: str = RWANDA_REGION) -> E164:
    """A phone number as E.164. Numbers written without a country code ("0788 123 456") are read as
    numbers of `default_region`."""
    return E164(phonenumbers.format_number(_valid_number(text, default_region), phonenumbers.PhoneNumberFormat.E164))


def _valid_number(text: str, default_region: str) -> phonenumbers.PhoneNumber:
    if len(text) > PHONE_TEXT_CHARS_MAX:
        raise PhoneNumberError(
            PhoneProblem.NOT_A_NUMBER, f"a phone number is at most {PHONE_TEXT_CHARS_MAX} characters"
        )
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneNumberError(PhoneProblem.NOT_A_NUMBER, f"{text!r} is not a phone number: {exc}") from exc
    if not phonenumbers.is_possible_number(number):
        raise PhoneNumberError(PhoneProblem.IMPOSSIBLE, f"{text!r} has the wrong number of digits for its country")
    if not phonenumbers.is_valid_number(number) or number.extension:
        raise PhoneNumberError(PhoneProblem.INVALID, f"{text!r} is not a number in use in its country")
    return number


@functools.lru_cache(maxsize=PAYOUT_NUMBERS_KEPT)  # a refusal raises, so only usable numbers are kept
def parse_payout_phone(text: str) -> E164:
    """A number that can receive a payout: a Rwandan mobile number (MTN 078/079, Airtel 072/073)."""
    number = _valid_number(text, RWANDA_REGION)
    e164 = E164(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    if phonenumbers.region_code_for_number(number) != RWANDA_REGION:
        raise PhoneNumberError(PhoneProblem.NOT_RWANDAN, f"{e164} is not a Rwandan number (+250)")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise PhoneNumberError(PhoneProblem.NOT_MOBILE, f"{e164} is not a mobile number")
    return e164


def directory_hash(e164: str, directory_key: bytes) -> bytes:
    """The 32-byte key under which the on-chain directory lists a number: HMAC-SHA256(key, E.164).

    Keyed, because phone numbers are a small space: Rwanda's mobile numbers are about 10^8 strings, which
    a laptop hashes in seconds, so a plain hash on a public chain would give every number back. The key is
    the directory operator's alone (``inzira.directory``): to anyone else, members included, the hashes
    reveal nothing.
    """
    if len(directory_key) < DIRECTORY_KEY_BYTES_MIN:
        raise ValueError(f"the directory key must be at least {DIRECTORY_KEY_BYTES_MIN} bytes")
    if not _E164_RE.fullmatch(e164):
        raise PhoneNumberError(PhoneProblem.NOT_A_NUMBER, f"{e164!r} is not E.164: parse it with parse_phone first")
    return hmac.new(directory_key, e164.encode("ascii"), hashlib.sha256).digest()


def mask_number(e164: E164) -> str:
    """For a log people read: the country and network prefix and the last three digits, "+25078****456"."""
    shown = 6 + 3
    if len(e164) <= shown:  # a short number (not a Rwandan mobile one) shows nothing
        return "*" * len(e164)
    return e164[:6] + "*" * (len(e164) - shown) + e164[-3:]


# Shown as they are and start a new part of the word: "Jean-Paul" -> "J***-P***", "O'Neil" -> "O'N***".
_WORD_JOINERS = frozenset("-‐‑'’ʼ")


def mask_name(name: str) -> str:
    """The name check's answer: the first letter of each word, the rest as one "*" per letter.

    "Jean Uwimana" -> "J*** U******"; hyphenated and apostrophised parts each keep their first letter;
    whitespace is collapsed. Letters are counted after NFC composition, so "É" written as E plus a
    combining accent is one letter; an accent on a hidden letter is hidden with it.
    """
    if len(name) > MASKED_NAME_CHARS_MAX:
        raise ValueError(f"a name is at most {MASKED_NAME_CHARS_MAX} characters")
    return " ".join(_mask_word(word) for word in unicodedata.normalize("NFC", name).split())


def _mask_word(word: str) -> str:
    out: list[str] = []
    revealed = False  # whether this part of the word has shown its first letter yet
    for char in word:
        if char in _WORD_JOINERS:
            out.append(char)
            revealed = False
        elif unicodedata.category(char).startswith("M"):
            if revealed and out[-1] != "*":
                out.append(char)  # a mark on the shown letter stays with it
        elif not revealed:
            out.append(char)
            revealed = True
        else:
            out.append("*")
    return "".join(out)
