"""What the pages tell an agent when something did not go through: a plain sentence per outcome code.

The service's own detail is kept beside it (it names the number, the quote, the list entry...), so the
sentence says what happened and what to do, and the detail says exactly why.
"""

from __future__ import annotations

from typing import Any

from inzira.ledger.codes import Code
from inzira.remit.codes import RemitCode, RemitError

_FORM_ERRORS = {
    Code.PARTY_NOT_FOUND: "No wallet is registered for this number. Check the number with your customer.",
    Code.VALIDATION: "Check this entry.",
    Code.QUOTE_EXPIRED: "The quote expired before it was used. Get a new quote: the rate and fees may have changed.",
    Code.QUOTE_USED: "This quote was already used for another transfer. Get a new quote.",
    Code.MODIFIED_REQUEST: "A transfer with this id exists with other details. Start again.",
    RemitCode.QUOTE_NOT_FOUND: "This quote is unknown. Get a new quote.",
    RemitCode.PAYEE_BLOCKED: "The receiver's wallet cannot receive money at the moment.",
    RemitCode.PAYEE_UNAVAILABLE: "The receiver's provider cannot be reached right now. Try again in a moment.",
}

_ABORTED = {
    Code.INSUFFICIENT_LIQUIDITY: "Not enough liquidity: your {currency} position cannot cover this transfer. "
                                 "Prefund it through the settlement bank, then send again. No money moved.",
    Code.QUOTE_EXPIRED: "The quote expired before the transfer could go ahead. Nothing was sent: get a new quote.",
    RemitCode.PAYEE_REJECTED: "The payout to the wallet failed. The reservation was voided and the money returned "
                              "to your position.",
    Code.TRANSFER_EXPIRED: "The transfer was not paid out in time. It expired and the money returned to your "
                           "position.",
}


NUMBER_MISSING = "Enter the receiver's mobile number."
NUMBER_REFUSED = "Enter a Rwandan mobile number, as +250 788 123 456 or 0788 123 456."
QUOTE_GONE = "That quote is not here any more (or is not yours): start again with the receiver's number."


def number_error(error: RemitError) -> str:
    """The look-up's refusal: a number it cannot read says how to write one, not only "check this entry"."""
    if error.code == Code.VALIDATION:
        return f"{NUMBER_REFUSED} ({error.code}: {error.detail})"
    return form_error(error)


def form_error(error: RemitError) -> str:
    sentence = _FORM_ERRORS.get(error.code, "The request was refused.")
    return f"{sentence} ({error.code}: {error.detail})"


def outcome(view: dict[str, Any]) -> tuple[str, str]:
    """(tone, sentence) for a transfer view: tone is ok, wait, held or bad (a CSS class)."""
    state, code = view["state"], view["code"]
    received = view["amount_received"]["text"]
    if state == "COMMITTED":
        return "ok", f"Paid out: {received} is in the receiver's wallet. The payment is final."
    if state == "HELD":
        return "held", ("Held for the compliance officer: the names matched a sanctions list entry or a limit was "
                        "reached. Nothing has moved; it goes ahead if the officer approves it.")
    if state == "REJECTED":
        return "bad", f"Refused by compliance. No money moved. ({code}: {view['reason']})"
    if state == "ABORTED":
        sentence = _ABORTED.get(code, "The transfer was aborted and any money reserved returned.")
        return "bad", f"{sentence.format(currency=view['amount_sent']['currency'])} ({code}: {view['reason']})"
    if state == "RESERVED":
        return "wait", "Funds are reserved on the ledger; the receiving provider is paying the wallet."
    return "wait", "Accepted: on its way to the ledger."
