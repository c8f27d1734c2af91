"""The rules a decoded payload must follow, per profile.

Both profiles: 54/56/57 must be well-formed non-zero amounts and consistent with 55 (they move money).
Strict adds every format, length, mandatory-object, GUID and template rule of the specification.
Checks run in payload order, so the error reported for a payload is always the same one.
"""

from __future__ import annotations

import re
from decimal import Decimal

from inzira.qr.emv import spec
from inzira.qr.emv.errors import EmvError
from inzira.qr.emv.model import DataObject, Payload, Profile
from inzira.qr.emv.spec import Format, Rule

# Digits with at most one ".", and at least one digit: "98.73", "98", "98.", ".5".
_AMOUNT_RE = re.compile(r"(?=[^0-9]*[0-9])[0-9]*\.?[0-9]*")
_AMOUNT_CHARS_MAX = 13
_PERCENTAGE_CHARS_MAX = 5
_PERCENTAGE_MAX = Decimal("99.99")
_MONEY_TAGS = ("54", "56", "57")  # checked by the amount rules, in both profiles


def check(payload: Payload) -> None:
    strict = payload.profile is Profile.STRICT
    for obj in payload.objects:
        if strict:
            _check_strict(obj)
        if obj.tag in ("54", "56"):
            _check_amount(obj.tag, obj.value)
        elif obj.tag == "57":
            _check_percentage(obj.value)
    _check_tip(payload)
    if strict:
        _check_mandatory(payload)


def _check_rule(path: str, rule: Rule, value: str) -> None:
    count = len(value)
    if count > rule.max_chars:
        raise EmvError("too_long", path, f"{path} ({rule.name}): {count} characters, at most {rule.max_chars}")
    if rule.exact and count != rule.max_chars:
        raise EmvError("bad_format", path, f"{path} ({rule.name}): must be exactly {rule.max_chars} characters")
    if rule.format is Format.N and not spec.DIGITS_RE.fullmatch(value):
        raise EmvError("bad_format", path, f"{path} ({rule.name}): format N allows only the digits 0-9")
    if rule.format is Format.ANS and not spec.ANS_RE.fullmatch(value):
        raise EmvError(
            "bad_format", path, f"{path} ({rule.name}): format ans allows only printable ASCII characters"
        )


def _check_strict(obj: DataObject) -> None:
    tag = obj.tag
    rule = spec.ROOT_RULES.get(tag)
    if rule is not None and tag not in _MONEY_TAGS:
        _check_rule(tag, rule, obj.value)
    if tag == "00" and obj.value != "01":
        raise EmvError("bad_value", tag, f'00 (payload_format_indicator): must be "01", not {obj.value!r}')
    if tag == "01" and obj.value not in spec.POINT_OF_INITIATION:
        raise EmvError("bad_value", tag, f'01 (point_of_initiation_method): must be "11" or "12", not {obj.value!r}')
    if tag == "58" and not spec.COUNTRY_RE.fullmatch(obj.value):
        raise EmvError("bad_format", tag, f"58 (country_code): {obj.value!r} is not an ISO 3166-1 alpha-2 code")
    if spec.has_guid(tag):
        _check_guid_template(tag, obj, ans_children=spec.is_account_template(tag))
    elif tag == "62":
        _check_additional_data(obj)
    elif tag == "64":
        _check_language(obj)


def _check_guid_template(path: str, obj: DataObject, *, ans_children: bool) -> None:
    for child in obj.children:
        child_path = f"{path}.{child.tag}"
        if child.tag == "00" and len(child.value) > spec.GUID_CHARS_MAX:
            raise EmvError(
                "too_long",
                child_path,
                f"{child_path} (globally_unique_identifier): {len(child.value)} characters, "
                f"at most {spec.GUID_CHARS_MAX}",
            )
        if (child.tag == "00" or ans_children) and not spec.ANS_RE.fullmatch(child.value):
            raise EmvError("bad_format", child_path, f"{child_path}: format ans allows only printable ASCII")
    if obj.child("00") is None:
        raise EmvError(
            "guid_missing", path, f"{path}: template has no globally unique identifier (sub-ID 00)"
        )


def _check_additional_data(obj: DataObject) -> None:
    for child in obj.children:
        path = f"62.{child.tag}"
        rule = spec.ADDITIONAL_DATA_RULES.get(child.tag)
        if rule is not None:
            _check_rule(path, rule, child.value)
        if child.tag == "09":
            letters = child.value
            if not set(letters) <= spec.CONSUMER_DATA_LETTERS or len(set(letters)) != len(letters):
                raise EmvError(
                    "bad_value",
                    path,
                    f'{path} (additional_consumer_data_request): only "A", "M" and "E", each at most once',
                )
        if spec.is_additional_template(child.tag):
            _check_guid_template(path, child, ans_children=False)


def _check_language(obj: DataObject) -> None:
    for child in obj.children:
        rule = spec.LANGUAGE_RULES.get(child.tag)
        if rule is not None:
            _check_rule(f"64.{child.tag}", rule, child.value)
    for tag in spec.LANGUAGE_MANDATORY:
        if obj.child(tag) is None:
            name = spec.LANGUAGE_RULES[tag].name
            raise EmvError("missing_mandatory", f"64.{tag}", f"64.{tag} ({name}) is mandatory in the language template")


def _check_amount(tag: str, value: str) -> None:
    name = spec.ROOT_RULES[tag].name
    if len(value) > _AMOUNT_CHARS_MAX:
        raise EmvError("too_long", tag, f"{tag} ({name}): {len(value)} characters, at most {_AMOUNT_CHARS_MAX}")
    if not _AMOUNT_RE.fullmatch(value):
        raise EmvError(
            "bad_amount", tag, f"{tag} ({name}): {value!r} is not digits with at most one '.' (no sign, comma or space)"
        )
    if Decimal(value.rstrip(".") or "0") == 0:
        raise EmvError("bad_amount", tag, f"{tag} ({name}): the amount must not be zero")


def _check_percentage(value: str) -> None:
    if len(value) > _PERCENTAGE_CHARS_MAX:
        raise EmvError("too_long", "57", f"57 (convenience_fee_percentage): at most {_PERCENTAGE_CHARS_MAX} characters")
    if not _AMOUNT_RE.fullmatch(value):
        raise EmvError("bad_amount", "57", f"57 (convenience_fee_percentage): {value!r} is not a number")
    percent = Decimal(value.rstrip(".") or "0")
    if not Decimal(0) < percent <= _PERCENTAGE_MAX or percent != percent.quantize(Decimal("0.01")):
        raise EmvError("bad_amount", "57", f"57 (convenience_fee_percentage): {value!r} is not between 00.01 and 99.99")


def _check_tip(payload: Payload) -> None:
    indicator = payload.tip_indicator
    fixed = payload.get("56") is not None
    percentage = payload.get("57") is not None
    if indicator is not None and indicator not in spec.TIP_INDICATORS:
        raise EmvError("tip_rule", "55", f'55 (tip_or_convenience_indicator): {indicator!r} is not "01", "02" or "03"')
    if fixed and indicator != "02":
        raise EmvError("tip_rule", "56", '56 (convenience_fee_fixed) may be present only when 55 is "02"')
    if percentage and indicator != "03":
        raise EmvError("tip_rule", "57", '57 (convenience_fee_percentage) may be present only when 55 is "03"')
    if indicator == "02" and not fixed:
        raise EmvError("tip_rule", "56", '56 (convenience_fee_fixed) is required when 55 is "02"')
    if indicator == "03" and not percentage:
        raise EmvError("tip_rule", "57", '57 (convenience_fee_percentage) is required when 55 is "03"')


def _check_mandatory(payload: Payload) -> None:
    for tag in spec.ROOT_MANDATORY:
        if payload.get(tag) is None:
            name = spec.ROOT_RULES[tag].name
            raise EmvError("missing_mandatory", tag, f"{tag} ({name}) is mandatory")
    if not payload.merchant_accounts:
        raise EmvError(
            "missing_mandatory", "02-51", "at least one merchant account information object (02-51) is mandatory"
        )
