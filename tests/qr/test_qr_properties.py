"""Properties: every valid payload round-trips; nothing but EmvError ever comes out of the decoder."""

import json
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from inzira import money
from inzira.qr.emv import (
    AlternateLanguage,
    DataObject,
    EmvError,
    MerchantQr,
    Profile,
    crc_hex,
    decode,
    encode,
    encode_merchant_qr,
    merchant_qr_from_payload,
    payload_json,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ans(min_size, max_size):
    return st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=min_size, max_size=max_size)


def any_text(min_size, max_size):
    # S format: any Unicode character (Chinese, Kinyarwanda diacritics, emoji, controls); no lone surrogates.
    return st.text(st.characters(exclude_categories=("Cs",)), min_size=min_size, max_size=max_size)


def digits(size):
    return st.text("0123456789", min_size=size, max_size=size)


def tags(low, high):
    return st.integers(low, high).map(lambda n: f"{n:02d}")


amounts = st.from_regex(r"[0-9]{1,8}(\.[0-9]{0,2})?", fullmatch=True).filter(
    lambda a: Decimal(a.rstrip(".")) != 0
)
percentages = st.from_regex(r"[0-9]{1,2}(\.[0-9]{1,2})?", fullmatch=True).filter(
    lambda p: 0 < Decimal(p) <= Decimal("99.99")
)


@st.composite
def guid_template(draw, tag, children_text):
    """A template with a GUID in 00 and up to two more sub-objects (distinct IDs)."""
    subs = draw(st.dictionaries(tags(1, 99), children_text, max_size=2))
    children = [DataObject("00", draw(ans(1, 32)))] + [DataObject(k, v) for k, v in subs.items()]
    return DataObject.template(tag, children)


@st.composite
def additional_data(draw):
    named = draw(st.dictionaries(tags(1, 8), ans(1, 12), max_size=2))
    children = [DataObject(k, v) for k, v in named.items()]
    if draw(st.booleans()):
        children.append(DataObject("09", "".join(draw(st.permutations("AME"))[: draw(st.integers(1, 3))])))
    if draw(st.booleans()):
        children.append(DataObject(draw(tags(10, 49)), draw(any_text(1, 8))))
    if draw(st.booleans()):
        sub = draw(tags(50, 99))
        guid = DataObject("00", draw(ans(1, 12)))
        children.append(DataObject.template(sub, [guid, DataObject("01", draw(any_text(1, 10)))], "62"))
    assume(children)
    return DataObject.template("62", draw(st.permutations(children)))


@st.composite
def language_template(draw):
    children = [DataObject("00", draw(ans(2, 2))), DataObject("01", draw(any_text(1, 25)))]
    if draw(st.booleans()):
        children.append(DataObject("02", draw(any_text(1, 15))))
    return DataObject.template("64", draw(st.permutations(children)))


@st.composite
def valid_objects(draw):
    """The objects of a strict-valid payload, without 63, in a random order after 00."""
    objects = []
    for tag in draw(st.sets(st.integers(2, 51), min_size=1, max_size=3)):
        if tag <= 25:
            objects.append(DataObject(f"{tag:02d}", draw(ans(1, 30))))
        else:
            objects.append(draw(guid_template(f"{tag:02d}", ans(1, 15))))
    objects += [
        DataObject("52", draw(digits(4))),
        DataObject("53", draw(digits(3))),
        DataObject("58", draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2))),
        DataObject("59", draw(ans(1, 25))),
        DataObject("60", draw(ans(1, 15))),
    ]
    if draw(st.booleans()):
        objects.append(DataObject("01", draw(st.sampled_from(["11", "12"]))))
    if draw(st.booleans()):
        objects.append(DataObject("54", draw(amounts)))
    tip = draw(st.sampled_from([None, "01", "02", "03"]))
    if tip is not None:
        objects.append(DataObject("55", tip))
    if tip == "02":
        objects.append(DataObject("56", draw(amounts)))
    if tip == "03":
        objects.append(DataObject("57", draw(percentages)))
    if draw(st.booleans()):
        objects.append(DataObject("61", draw(ans(1, 10))))
    if draw(st.booleans()):
        objects.append(draw(additional_data()))
    if draw(st.booleans()):
        objects.append(draw(language_template()))
    if draw(st.booleans()):
        objects.append(DataObject(draw(tags(65, 79)), draw(any_text(1, 20))))
    for tag in draw(st.sets(st.integers(80, 99), max_size=2)):
        objects.append(draw(guid_template(f"{tag:02d}", any_text(1, 15))))
    ordered = [DataObject("00", "01"), *draw(st.permutations(objects))]
    assume(sum(4 + len(o.value) for o in ordered) + 8 <= 512)
    return ordered


@SETTINGS
@given(valid_objects())
def test_valid_payloads_round_trip(objects):
    text = encode(objects)
    for profile in Profile:
        payload = decode(text, profile)
        assert payload.objects[:-1] == tuple(objects)
        assert payload.objects[-1].tag == "63"
        assert payload.text == text
    json.dumps(payload_json(payload), ensure_ascii=False)


@st.composite
def merchant_qrs(draw):
    currency = draw(st.sampled_from(sorted(money.CURRENCIES)))
    optional = lambda strategy: draw(st.none() | strategy)  # noqa: E731
    alternate = None
    if draw(st.booleans()):
        language = draw(st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=2))
        alternate = AlternateLanguage(language, draw(any_text(1, 25)), optional(any_text(1, 15)))
    return MerchantQr(
        merchant_id=draw(ans(1, 20)),
        name=draw(ans(1, 25)),
        city=draw(ans(1, 15)),
        mcc=draw(digits(4)),
        currency=currency,
        amount_minor=optional(st.integers(1, 10**9)),
        country=draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)),
        postal_code=optional(ans(1, 10)),
        bill_number=optional(ans(1, 25)),
        reference_label=optional(ans(1, 25)),
        terminal_label=optional(ans(1, 25)),
        alternate=alternate,
    )


@SETTINGS
@given(merchant_qrs())
def test_merchant_qrs_round_trip(qr):
    payload = decode(encode_merchant_qr(qr), Profile.STRICT)
    assert merchant_qr_from_payload(payload) == qr
    assert payload.point_of_initiation == ("dynamic" if qr.dynamic else "static")


def _decode_or_coded_error(text):
    for profile in Profile:
        try:
            payload = decode(text, profile)
        except EmvError as exc:
            assert exc.code and exc.message
            json.dumps(exc.as_json())
        else:
            assert payload.text == text
            json.dumps(payload_json(payload), ensure_ascii=False)


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=600))
def test_arbitrary_text_gives_only_coded_errors(text):
    _decode_or_coded_error(text)


@settings(max_examples=500, deadline=None)
@given(st.text("0123456789ABZ.* 中", max_size=120).map(lambda t: "000201" + t))
def test_tlv_like_text_gives_only_coded_errors(text):
    _decode_or_coded_error(text)
    _decode_or_coded_error(text + "6304" + crc_hex(text + "6304"))


edits = st.lists(
    st.tuples(
        st.sampled_from(["delete", "insert", "replace", "swap"]),
        st.integers(0, 600),
        st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=3),
    ),
    min_size=1,
    max_size=4,
)


def _mutate(text, operations):
    for kind, position, chars in operations:
        at = position % (len(text) + 1)
        if kind == "delete":
            text = text[:at] + text[at + len(chars) :]
        elif kind == "insert":
            text = text[:at] + chars + text[at:]
        elif kind == "replace":
            text = text[:at] + chars + text[at + len(chars) :]
        else:
            text = text[at:] + text[:at]
    return text


@SETTINGS
@given(valid_objects(), edits, st.booleans())
def test_mutated_payloads_give_only_coded_errors(objects, operations, fix_crc):
    mutated = _mutate(encode(objects), operations)
    if fix_crc:
        # Re-sign the mutation so it gets past the CRC and exercises the structural and profile rules.
        body = mutated[:-8] if mutated[-8:-4] == "6304" else mutated
        mutated = body + "6304" + crc_hex(body + "6304")
    _decode_or_coded_error(mutated)
