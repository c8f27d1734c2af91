"""The JSON view of a decoded payload, shared by `inzira qr parse --json` and the web/API layer."""

from __future__ import annotations

from typing import Any

from inzira import money
from inzira.qr.emv import spec
from inzira.qr.emv.model import DataObject, Payload


def _fields(obj: DataObject) -> dict[str, str]:
    return {c.tag: c.value for c in obj.children}


def _template(obj: DataObject) -> dict[str, Any]:
    """A template with a GUID: {"guid": ..., "fields": {sub-ID: value}} (guid null if absent)."""
    return {"guid": obj.guid, "fields": {c.tag: c.value for c in obj.children if c.tag != "00"}}


def _currency_code(numeric: str | None) -> str | None:
    found = money.CURRENCIES_BY_NUMERIC.get(numeric or "")
    return None if found is None else found.code


def _additional_data(obj: DataObject | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    named: dict[str, Any] = {rule.name: obj.child_value(tag) for tag, rule in spec.ADDITIONAL_DATA_RULES.items()}
    named["reserved"] = {
        c.tag: c.value for c in obj.children if c.tag not in spec.ADDITIONAL_DATA_RULES and not c.children
    }
    named["templates"] = {c.tag: _template(c) for c in obj.children if spec.is_additional_template(c.tag)}
    named["raw"] = obj.value
    return named


def _language(obj: DataObject | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    named: dict[str, Any] = {rule.name: obj.child_value(tag) for tag, rule in spec.LANGUAGE_RULES.items()}
    named["reserved"] = {c.tag: c.value for c in obj.children if c.tag not in spec.LANGUAGE_RULES}
    named["raw"] = obj.value
    return named


def _account(obj: DataObject) -> str | dict[str, Any]:
    return _template(obj) if spec.is_account_template(obj.tag) else obj.value


def payload_json(payload: Payload) -> dict[str, Any]:
    """Every field of the payload as plain JSON types; absent fields are null."""
    return {
        "payload": payload.text,
        "profile": payload.profile.value,
        "payload_format_indicator": payload.payload_format_indicator,
        "point_of_initiation": payload.point_of_initiation,
        "merchant_accounts": {o.tag: _account(o) for o in payload.merchant_accounts},
        "mcc": payload.mcc,
        "currency": payload.currency,
        "currency_code": _currency_code(payload.currency),
        "amount": payload.amount,
        "tip_or_convenience_indicator": payload.tip_indicator,
        "tip_mode": spec.TIP_INDICATORS.get(payload.tip_indicator or ""),
        "convenience_fee_fixed": payload.convenience_fee_fixed,
        "convenience_fee_percentage": payload.convenience_fee_percentage,
        "country": payload.country,
        "merchant_name": payload.merchant_name,
        "merchant_city": payload.merchant_city,
        "postal_code": payload.postal_code,
        "additional_data": _additional_data(payload.additional_data),
        "language_template": _language(payload.language_template),
        "reserved": {o.tag: o.value for o in payload.reserved},
        "unreserved_templates": {o.tag: _template(o) for o in payload.unreserved_templates},
        "crc": payload.crc.upper(),
        "objects": [{"tag": o.tag, "value": o.value} for o in payload.objects],
    }
