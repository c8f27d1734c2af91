"""Amounts as the remittance API shows them: integer minor units, the currency, and a string for people."""

from __future__ import annotations

from typing import Any

from inzira.money import money_text


def money(amount_minor: int, currency: str) -> dict[str, Any]:
    return {"amount_minor": amount_minor, "currency": currency, "text": money_text(amount_minor, currency)}
