import hashlib
import hmac
import unicodedata

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from inzira.remit.phone import (
    PhoneNumberError,
    PhoneProblem,
    directory_hash,
    mask_name,
    parse_payout_phone,
    parse_phone,
)

KEY = bytes(range(32))


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("+250788123456", "+250788123456"),  # MTN, international
        ("0788123456", "+250788123456"),  # MTN, as written in Rwanda
        ("078 812 3456", "+250788123456"),
        ("+250 79 123 4567", "+250791234567"),  # MTN 079
        ("+250 73 123 4567", "+250731234567"),  # Airtel
        ("0721234567", "+250721234567"),  # Airtel 072
        ("250788123456", "+250788123456"),  # country code without the plus
        ("+32 470 12 34 56", "+32470123456"),  # Belgium
        ("+86 138 0013 8000", "+8613800138000"),  # China
        ("+44 20 7946 0958", "+442079460958"),  # United Kingdom, fixed line
    ],
)
def test_parse_phone_to_e164(text, e164):
    assert parse_phone(text) == e164


def test_default_region_reads_local_numbers():
    assert parse_phone("0470 12 34 56", default_region="BE") == "+32470123456"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", PhoneProblem.NOT_A_NUMBER),
        ("garbage", PhoneProblem.NOT_A_NUMBER),
        ("+999 123456", PhoneProblem.NOT_A_NUMBER),
        ("0" * 65, PhoneProblem.NOT_A_NUMBER),
        ("+250788", PhoneProblem.IMPOSSIBLE),
        ("+2507881234567", PhoneProblem.IMPOSSIBLE),
        ("+250701234567", PhoneProblem.INVALID),  # right length, unassigned range
        ("+250788123456 ext. 12", PhoneProblem.INVALID),
    ],
)
def test_parse_phone_rejects(text, problem):
    with pytest.raises(PhoneNumberError) as caught:
        parse_phone(text)
    assert caught.value.problem is problem
    assert str(caught.value)


def test_payout_needs_a_rwandan_mobile_number():
    assert parse_payout_phone("0788123456") == "+250788123456"
    assert parse_payout_phone("+250731234567") == "+250731234567"
    with pytest.raises(PhoneNumberError) as foreign:
        parse_payout_phone("+32470123456")
    assert foreign.value.problem is PhoneProblem.NOT_RWANDAN
    with pytest.raises(PhoneNumberError) as fixed:
        parse_payout_phone("+250252123456")  # a Kigali fixed line: no wallet behind it
    assert fixed.value.problem is PhoneProblem.NOT_MOBILE
    with pytest.raises(PhoneNumberError) as garbage:
        parse_payout_phone("not a phone")
    assert garbage.value.problem is PhoneProblem.NOT_A_NUMBER



def test_a_payout_number_is_parsed_once_however_often_asked(monkeypatch):
    """A remittance reads its receiver's number three times (look-up, directory operator, quote): libphonenumber
    parses it once (~0.1 ms each); a refused number is refused every time, never kept."""
    parsed: list[str] = []
    real_parse = phonenumbers.parse

    def counting_parse(*args, **kwargs):
        parsed.append(args[0])
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(phonenumbers, "parse", counting_parse)  # a number no other test reads
    assert [parse_payout_phone("0788 765 432") for _ in range(3)] == ["+250788765432"] * 3
    assert parsed == ["0788 765 432"]
    for _ in range(2):
        with pytest.raises(PhoneNumberError) as fixed:
            parse_payout_phone("+250252765432")
        assert fixed.value.problem is PhoneProblem.NOT_MOBILE
    assert parsed == ["0788 765 432", "+250252765432", "+250252765432"]

@settings(max_examples=300)
@given(st.text(max_size=80))
def test_parse_phone_only_raises_its_own_error(text):
    try:
        e164 = parse_phone(text)
    except PhoneNumberError:
        return
    assert parse_phone(e164) == e164  # E.164 is a fixed point


def test_directory_hash_is_hmac_sha256_of_e164():
    digest = directory_hash("+250788123456", KEY)
    assert len(digest) == 32
    assert digest == hmac.new(KEY, b"+250788123456", hashlib.sha256).digest()
    assert digest == directory_hash("+250788123456", KEY)  # deterministic
    assert digest != hashlib.sha256(b"+250788123456").digest()  # keyed, not a plain hash


def test_directory_hash_depends_on_key_and_number():
    other_key = bytes(reversed(KEY))
    assert directory_hash("+250788123456", KEY) != directory_hash("+250788123456", other_key)
    assert directory_hash("+250788123456", KEY) != directory_hash("+250788123457", KEY)


def test_directory_hash_refuses_short_keys_and_unparsed_numbers():
    with pytest.raises(ValueError):
        directory_hash("+250788123456", b"short")
    for raw in ["0788123456", "+250 788 123 456", "250788123456", ""]:
        with pytest.raises(PhoneNumberError):
            directory_hash(raw, KEY)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Jean Uwimana", "J*** U******"),
        ("  jean    uwimana  ", "j*** u******"),  # extra whitespace collapsed, case kept
        ("Jean-Paul Habimana", "J***-P*** H*******"),
        ("Marie-Claire  Uwase", "M****-C***** U****"),
        ("O'Neil", "O'N***"),
        ("N’Guessan Koffi", "N’G****** K****"),
        ("Élodie Nyiraneza", "É***** N********"),
        ("E\u0301lodie", "É*****"),  # decomposed accent: still one letter
        ("Jose\u0301", "J***"),  # an accent on a hidden letter is hidden with it
        ("J Uwimana", "J U******"),  # single-letter word
        ("A B C", "A B C"),
        ("Сергей Примеров", "С***** П*******"),
        ("محمد يوسف", "م*** ي***"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_mask_name_refuses_absurd_lengths():
    with pytest.raises(ValueError):
        mask_name("a" * 301)


letters = st.characters(categories=["Lu", "Ll", "Lo"])


@given(st.lists(st.text(letters, min_size=1, max_size=20), min_size=1, max_size=5))
@example(["\ufb2a", "Ab\ufb2a"])  # letters that normalise to a letter and a combining mark
def test_mask_keeps_first_letters_and_counts_the_rest(words):
    words = [unicodedata.normalize("NFC", w) for w in words]
    masked = mask_name(" ".join(words)).split(" ")
    assert len(masked) == len(words)
    for word, shown in zip(words, masked):
        # Some letters normalise to a letter and a combining mark (U+FB2A is shin + shin dot): the marks
        # of the shown first letter stay with it, every further letter is one "*" with its marks hidden.
        head = 1
        while head < len(word) and unicodedata.category(word[head]).startswith("M"):
            head += 1
        hidden = [c for c in word[head:] if not unicodedata.category(c).startswith("M")]
        assert shown == word[:head] + "*" * len(hidden)
