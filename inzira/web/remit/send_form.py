"""The sending agent's form: the receiver's number, the amount and its kind, and the two names.

What the agent typed travels with every step (hidden fields), so any step can show it back with a
problem next to the field it concerns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.datastructures import FormData

from inzira.money import MoneyError, parse_decimal_minor
from inzira.node.node import Node
from inzira.remit.quotes import AmountType, QuoteRequest
from inzira.remit.settings import PAYOUT_CURRENCY, position_account
from inzira.web.forms import field_text

MSISDN_CHARS_MAX = 32
AMOUNT_CHARS_MAX = 32
CURRENCY_CHARS_MAX = 3
NAME_CHARS_MAX = 300  # the API's limit on a name
CUSTOMER_ID_CHARS_MAX = 64
ID_CHARS_MAX = 64
ACCOUNTS_MAX = 200
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class FormProblem(ValueError):
    """An entry the agent must correct, with the field it concerns."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name


@dataclass(frozen=True, slots=True)
class SendForm:
    msisdn: str = ""
    amount_type: str = AmountType.SEND.value
    amount: str = ""
    currency: str = ""
    sender_id: str = ""
    sender_name: str = ""
    receiver_name: str = ""

    @classmethod
    def read(cls, form: FormData) -> "SendForm":
        kind = field_text(form, "amount_type", 8)
        return cls(msisdn=field_text(form, "msisdn", MSISDN_CHARS_MAX),
                   amount_type=kind if kind in AmountType.__members__ else AmountType.SEND.value,
                   amount=field_text(form, "amount", AMOUNT_CHARS_MAX),
                   currency=field_text(form, "currency", CURRENCY_CHARS_MAX).upper(),
                   sender_id=field_text(form, "sender_id", CUSTOMER_ID_CHARS_MAX),
                   sender_name=field_text(form, "sender_name", NAME_CHARS_MAX),
                   receiver_name=field_text(form, "receiver_name", NAME_CHARS_MAX))

    def names_problem(self) -> FormProblem | None:
        for name, label in (("sender_name", "the sender's full name"), ("sender_id", "the customer number"),
                            ("receiver_name", "the receiver's full name")):
            if not getattr(self, name):
                return FormProblem(name, f"Enter {label}.")
        return None

    def quote_request(self, currencies: list[str]) -> QuoteRequest:
        """The quote this form asks for; FormProblem names what to correct."""
        if self.currency not in currencies:
            raise FormProblem("currency", f"Choose a currency you hold: {', '.join(currencies) or 'none'}.")
        kind = AmountType(self.amount_type)
        amount_currency = self.currency if kind is AmountType.SEND else PAYOUT_CURRENCY
        try:
            amount_minor = parse_decimal_minor(self.amount, amount_currency)
        except MoneyError as exc:
            raise FormProblem("amount", f"Enter the amount in {amount_currency}, like 200.00 ({exc}).") from None
        if amount_minor <= 0:
            raise FormProblem("amount", "Enter an amount above zero.")
        problem = self.names_problem()
        if problem is not None:
            raise problem
        return QuoteRequest(kind, amount_minor, amount_currency, self.currency, self.sender_name, self.receiver_name)


def source_currencies(node: Node, member: str) -> list[str]:
    """The currencies the member can send from: its positions, other than RWF (what is paid out)."""
    return sorted({a.currency for a in node.accounts(member, ACCOUNTS_MAX)
                   if not a.issuance and a.currency != PAYOUT_CURRENCY
                   and a.id == position_account(member, a.currency)})


def transfer_id_of(form: FormData) -> str | None:
    value = field_text(form, "transfer_id", ID_CHARS_MAX).lower()
    return value if UUID_RE.fullmatch(value) else None
